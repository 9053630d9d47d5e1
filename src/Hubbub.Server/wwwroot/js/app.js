// The console's entry point: sign-in, the shared SDK client, the indicator and the page switch.
import { HubbubClient } from '/sdk/hubbub.js';
import { byId, toast } from './dom.js';
import * as session from './session.js';
import { renderSignIn } from './signin.js';
import { bindIndicator } from './indicator.js';
import { ChatPage } from './chat.js';
import { RoomsPage } from './rooms.js';
import { TesterPage } from './tester.js';

const PAGES = ['chat', 'rooms', 'tester'];

/** @type {{client: HubbubClient, unbind: () => void, chat: ChatPage, rooms: RoomsPage, tester: TesterPage} | null} */
let current = null;

function showPage() {
  const wanted = location.hash.replace(/^#\//, '');
  const page = PAGES.includes(wanted) ? wanted : 'chat';
  for (const p of PAGES) byId(`page-${p}`).hidden = p !== page;
  for (const a of byId('nav').querySelectorAll('a')) a.classList.toggle('active', a.dataset.page === page);
  if (page === 'chat') current?.chat.onShown();
}

function signOut() {
  session.forget();
  if (current) {
    current.chat.dispose();
    current.rooms.dispose();
    current.tester.dispose();
    current.unbind();
    current.client.close('signed out');
    current = null;
  }
  start();
}

/** @param {import('./session.js').Session} s */
function enter(s) {
  session.save(s);
  byId('signin').hidden = true;
  byId('nav').hidden = false;
  byId('signout').hidden = false;
  byId('conn').hidden = false;
  byId('me').textContent = `${s.name} (${s.user})`;

  // getToken re-reads storage on every attempt, so a token pasted again after expiry is picked up.
  const client = new HubbubClient(session.wsUrl(), { getToken: () => session.load()?.token ?? s.token });
  const unbind = bindIndicator(client);
  const chat = new ChatPage(byId('page-chat'), client, s);
  const rooms = new RoomsPage(byId('page-rooms'), client, s);
  const tester = new TesterPage(byId('page-tester'), s);
  current = { client, unbind, chat, rooms, tester };
  chat.onUnauthorized = () => {
    toast('The server refused this token (wrong key, expired or revoked). Sign in again.', 'error');
    signOut();
  };
  client.connect().catch((err) => toast(`Cannot connect: ${err.message}`, 'error'));
  chat.start();
  rooms.start();
  showPage();
}

function start() {
  byId('nav').hidden = true;
  byId('signout').hidden = true;
  byId('conn').hidden = true;
  byId('me').textContent = '';
  for (const p of PAGES) byId(`page-${p}`).hidden = true;
  const stored = session.load();
  if (stored) {
    enter(stored);
    return;
  }
  const root = byId('signin');
  root.hidden = false;
  renderSignIn(root, enter);
}

byId('signout').addEventListener('click', signOut);
window.addEventListener('hashchange', showPage);
start();
