// Typing indicators, as every page of the console sends and shows them.

/** A page re-sends `typing: true` at most this often while the user keeps typing. */
export const TYPING_RESEND_MS = 2000;

/** The server clears typing 3 s after the last "true"; this is only a fallback if that event is lost. */
export const TYPING_FALLBACK_MS = 6000;
