// The one `user:{me}` subscription of the console. Every page that wants personal events (conversation_added,
// status, room_added, notifications…) listens here; no page subscribes to its own user channel or unsubscribes it,
// so no page depends on another having been opened first. It lives from sign-in to sign-out.

export class UserHub {
  /**
   * @param {import('/sdk/hubbub.js').HubbubClient} client
   * @param {string} user
   */
  constructor(client, user) {
    /** The channel, `user:{id}`. */
    this.channel = `user:${user}`;
    /** @private */ this._sub = client.subscribe(this.channel);
  }

  /**
   * Listens to one event of the user channel (a publication type such as `room_added`, or `reload` when missed
   * events could not be replayed). Returns a function that stops listening: call it in the page's unmount.
   * @param {string} event
   * @param {(payload: any) => void} fn
   * @returns {() => void}
   */
  on(event, fn) {
    return this._sub.on(event, fn);
  }

  /** Resolves once the server confirmed the subscription: events after that are not missed. */
  ready() {
    return this._sub.ready();
  }

  /** Ends the subscription (at sign-out only). */
  dispose() {
    this._sub.unsubscribe();
  }
}
