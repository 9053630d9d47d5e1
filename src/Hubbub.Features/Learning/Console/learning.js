// The learning page (issue 18): a learner's course view — the course's progress bar, its modules with their lock
// states and bars, tasks with a Complete button (and a score where the task has a pass mark) — beside the study group:
// a room linked to the course whose members' progress moves live (`member_progress` on `room:{id}`, the last ones from
// the room's history), with who is in the room now and the room's messages. My own progress moves on `progress_update`,
// XP comes as a toast (`xp_gained`, by the app's rules), a finished module or course is celebrated full screen.
// Declared by LearningFeature (FeatureBuilder.ConsolePage); served at /console/pages/learning.js.
import { h, clear, clockTime } from '/js/dom.js';
import { progressBar } from '/js/components/progress.js';
import { celebrate } from '/js/components/celebration.js';
import { liveBadge } from '/js/components/live.js';
import { watchChannel } from '/js/components/channel.js';
import { runAction } from '/js/components/actions.js';
import { composer } from '/js/components/composer.js';
import { personRow } from '/js/components/person.js';

/** Room publications read back when the study group opens (its members' latest progress and messages). */
const HISTORY = 100;
/** Messages shown in the study group. */
const MESSAGES = 20;

/**
 * @param {HTMLElement} root
 * @param {import('/js/shell/context.js').ConsoleContext} ctx
 */
export async function mount(root, ctx) {
  const picker = h('select', { id: 'course-picker', 'aria-label': 'Course' });
  const title = h('h1', { class: 'grow ellipsis', text: 'Learning' });
  const courseBar = progressBar({ label: 'Course progress', key: 'course' });
  const summary = h('div', { class: 'muted small', id: 'course-summary' });
  const enrol = h('button', { type: 'button', id: 'enrol', text: 'Enrol', hidden: true });
  const modules = h('div', { class: 'stack', id: 'modules' });
  const course = h('section', { class: 'card stack', id: 'course', hidden: true },
    h('div', { class: 'row between' }, h('h2', { text: 'My progress' }), enrol), courseBar.el, summary, modules);
  const group = h('section', { class: 'card stack study-group', id: 'study-group', hidden: true });
  const empty = h('p', { class: 'card muted', id: 'course-empty', hidden: true, text: 'No published courses yet (the app\'s backend or an admin defines them).' });
  root.append(h('div', { class: 'feature-page', id: 'learning' }, h('div', { class: 'row' }, title, picker), empty,
    h('div', { class: 'columns' }, course, group)));

  /** @type {any} */ let definition = null;
  let stopGroup = () => {};

  // --- My progress ----------------------------------------------------------------------------------------------
  const complete = async (task, button, scoreInput) => {
    const body = scoreInput ? { score: Number(scoreInput.value) } : {};
    const progress = await runAction(ctx, button, () =>
      ctx.rest.post(`/api/courses/${encodeURIComponent(definition.id)}/tasks/${encodeURIComponent(task.key)}/complete`, body));
    if (progress) showProgress(progress);
  };

  const showProgress = (p) => {
    if (!definition || p.course !== definition.id) return;
    courseBar.set(p.percent / 100, `${p.percent}%`);
    summary.textContent = `${p.completed_tasks} of ${p.total_tasks} tasks${p.completed ? ' · course completed ✓' : ''}`;
    enrol.hidden = p.enrolled;
    const states = new Map(p.modules.map((m) => [m.key, m]));
    clear(modules).append(...definition.modules.map((m) => {
      const state = states.get(m.key) ?? { state: 'locked', completed_tasks: 0, total_tasks: m.tasks.length, tasks: [] };
      const taskStates = new Map(state.tasks.map((t) => [t.key, t]));
      const bar = progressBar({ label: m.title, key: `module-${m.key}` });
      bar.set(state.total_tasks ? state.completed_tasks / state.total_tasks : 0, `${state.completed_tasks} / ${state.total_tasks}`);
      const waiting = m.prerequisites.filter((k) => states.get(k)?.state !== 'completed');
      return h('div', { class: 'module-card', dataset: { module: m.key, state: state.state } },
        h('div', { class: 'row between' }, h('h3', { class: 'ellipsis', text: m.title }), h('span', { class: `state-tag ${state.state}`, text: state.state })),
        state.state === 'locked' && waiting.length ? h('div', { class: 'muted small', text: `Opens after ${waiting.map((k) => definition.modules.find((x) => x.key === k)?.title ?? k).join(', ')}` }) : null,
        bar.el,
        h('ul', { class: 'tasks' }, m.tasks.map((t) => taskRow(t, taskStates.get(t.key)?.state ?? 'locked'))));
    }));
  };

  const taskRow = (task, state) => {
    const button = h('button', { type: 'button', class: 'complete', text: state === 'completed' ? 'Done ✓' : 'Complete', disabled: state !== 'open' });
    const score = task.pass_mark !== null && state === 'open'
      ? h('input', { type: 'number', name: 'score', min: 0, step: 'any', 'aria-label': `Score for ${task.title}`, placeholder: `≥ ${task.pass_mark}` }) : null;
    button.addEventListener('click', () => complete(task, button, score));
    return h('li', { class: `task${state === 'locked' ? ' locked' : ''}`, dataset: { task: task.key, state } },
      h('span', { class: 'task-title', text: task.title }),
      h('span', { class: 'muted small', text: `${task.xp} XP${task.pass_mark !== null ? ` · pass ${task.pass_mark}` : ''}` }), score, button);
  };

  const loadProgress = async () => {
    if (definition) showProgress(await ctx.rest.get(`/api/courses/${encodeURIComponent(definition.id)}/progress`));
  };

  // --- The study group: a room linked to the course that I am a member of -----------------------------------------
  const openGroup = async (room) => {
    stopGroup();
    group.hidden = false;
    if (!room) {
      clear(group).append(h('h2', { text: 'Study group' }),
        h('p', { class: 'muted', text: 'No study group: when a room you are in is linked to this course, its members\' progress shows here.' }));
      stopGroup = () => {};
      return;
    }
    /** @type {Map<string, {user: string, name: string, percent: number|null, note: string}>} */
    const members = new Map(room.members.map((u) => [u, { user: u, name: u, percent: null, note: '' }]));
    let online = new Set();
    const seen = new Set();
    const list = h('ul', { class: 'feed', id: 'group-members', 'aria-label': 'Study group members' });
    const messages = h('ul', { class: 'feed', id: 'group-messages', 'aria-label': 'Study group messages' });
    const renderMembers = () => clear(list).append(...[...members.values()].map((m) => {
      const bar = progressBar({ label: `${m.name}'s progress`, key: `member-${m.user}` });
      bar.set((m.percent ?? 0) / 100, m.percent === null ? 'no progress yet' : `${m.percent}%`);
      return personRow({ user: m.user, name: m.user === ctx.session.user ? `${m.name} (me)` : m.name, online: online.has(m.user), note: m.note }, bar.el);
    }));
    const onProgress = (p) => {
      const d = p.data;
      // The server's own publications carry no `from`: a member publishing this name is not believed.
      if (p.from || !d || d.course !== definition?.id || typeof d.user !== 'string') return;
      const task = d.task ? definition.modules.flatMap((m) => m.tasks).find((t) => t.key === d.task) : null;
      members.set(d.user, { user: d.user, name: d.name ?? d.user, percent: d.percent, note: task ? `completed ${task.title}` : 'enrolled' });
    };
    const onMessage = (p) => {
      if (typeof p.offset === 'number') { if (seen.has(p.offset)) return; seen.add(p.offset); }
      const text = typeof p.data?.text === 'string' ? p.data.text : '';
      if (!text) return;
      messages.append(h('li', { class: 'feed-item enter' }, h('div', { class: 'feed-body' },
        h('div', { class: 'feed-text' }, h('strong', { text: p.from?.name ?? p.from?.user ?? '?' }), ' ', text),
        typeof p.data.at === 'string' ? h('div', { class: 'feed-meta muted small', text: clockTime(p.data.at) }) : null)));
      while (messages.children.length > MESSAGES) messages.firstElementChild?.remove();
    };
    const channel = `room:${room.id}`;
    const box = composer({ label: 'Message to the study group', placeholder: 'Say something to the group…',
      onSend: (text) => ctx.client.publish(channel, { text, at: new Date().toISOString() }).catch((err) => ctx.toast(err.message, 'error')) });
    clear(group).append(h('div', { class: 'row between' }, h('h2', { class: 'ellipsis', text: `Study group: ${room.title || room.id}` }), liveBadge()),
      list, h('h3', { text: 'Messages' }), messages, box.form);
    renderMembers();
    stopGroup = watchChannel(ctx, channel, {
      // The latest progress of each member, and the last messages, from the room's history; then live.
      subscribed: async (sub) => {
        const [{ publications }, { members: present }] = await Promise.all([sub.history({ limit: HISTORY }), sub.presence()]);
        online = new Set(present.map((m) => m.user));
        for (const p of publications) {
          if (p.type === 'member_progress') onProgress(p);
          else if (p.type === 'message') onMessage(p);
        }
        renderMembers();
      },
      events: {
        member_progress: (p) => { onProgress(p); renderMembers(); },
        message: onMessage,
        presence_join: (u) => { online.add(u.user); renderMembers(); },
        presence_leave: (u) => { online.delete(u.user); renderMembers(); },
      },
    });
  };

  const open = async (id) => {
    stopGroup();
    const [c, progress, { rooms: linked }, { rooms: mine }] = await Promise.all([
      ctx.rest.get(`/api/courses/${encodeURIComponent(id)}`), ctx.rest.get(`/api/courses/${encodeURIComponent(id)}/progress`),
      ctx.rest.get(`/api/courses/${encodeURIComponent(id)}/rooms`), ctx.rest.get('/api/rooms?limit=100')]); // my newest 100 rooms (paged)
    definition = c;
    title.textContent = c.title;
    course.hidden = false;
    course.dataset.course = c.id;
    showProgress(progress);
    // The room I named at enrolment first, then any linked room I am in.
    const wanted = [progress.room, ...linked.map((l) => l.room)].filter(Boolean);
    await openGroup(wanted.map((r) => mine.find((m) => m.id === r)).find(Boolean) ?? null);
  };

  enrol.addEventListener('click', async () => {
    const progress = await runAction(ctx, enrol, () => ctx.rest.post(`/api/courses/${encodeURIComponent(definition.id)}/enroll`, {}));
    if (progress) showProgress(progress);
  });
  picker.addEventListener('change', () => open(picker.value).catch((err) => ctx.toast(err.message, 'error')));

  const offs = [
    // Another tab, or the app's backend, may complete a task: the view follows whoever did it.
    ctx.user.on('progress_update', (p) => { if (p.data.course === definition?.id) loadProgress().catch(() => {}); }),
    ctx.user.on('xp_gained', (p) => ctx.toast(`+${p.data.amount} XP (${p.data.reason})`, 'success')),
    ctx.user.on('module_completed', (p) => celebrate(`${p.data.title} completed!`, definition?.id === p.data.course ? definition.title : '', { kind: 'level' })),
    ctx.user.on('course_completed', (p) => celebrate(`${p.data.title} finished!`, 'Course completed', { kind: 'legendary' })),
  ];

  const { courses } = await ctx.rest.get('/api/courses', { query: { state: 'published', limit: 100 } });
  clear(picker).append(...courses.map((c) => h('option', { value: c.id, text: c.title })));
  picker.hidden = courses.length < 2;
  empty.hidden = courses.length > 0;
  if (courses.length) await open(courses[0].id);
  return {
    unmount() {
      stopGroup();
      for (const off of offs) off();
    },
  };
}
