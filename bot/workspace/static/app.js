// The local workspace page: sidebar (the porting channel, #general, the bot's App Home and
// DM), the message list, threads in a side pane, modals, the sandbox panel, all kept live by
// the workspace's push stream.

import { h, renderBlocks } from "./blockkit.js";
import { composer } from "./composer.js";
import { esc, safeUrl } from "./mrkdwn.js";
import { byTs, keepBottom, place, renderMessage, unplace, upsert } from "./messages.js";
import { Modals } from "./modal.js";
import { BASE, get, post, toast } from "./net.js";
import { SandboxPanel } from "./sandbox.js";
import { $, S, channelOf, fmt, hooks, isBotDm, title } from "./state.js";

let modals, sandbox;

function drawMessages(stick = true) {
  const list = $("messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const rows = [...S.messages, ...S.ephemerals.filter((e) => !e.thread_ts)].sort(byTs);
  const intro = h("div", { class: "channel-intro" },
    h("h2", {}, isBotDm(S.channel) ? S.boot.bot.name : `# ${channelOf(S.channel).name}`),
    h("p", { html: intro_text() }));
  list.replaceChildren(intro, ...rows.map((m) => renderMessage(m)));
  if (stick && atBottom) list.scrollTop = list.scrollHeight;
}

function intro_text() {
  const commands = S.boot.manifest.commands.map((c) => `<code>${esc(c.command)}</code>`).join(", ");
  if (isBotDm(S.channel)) return `Your direct messages with ${esc(S.boot.bot.name)}: long results, CSVs and filing outcomes come here.`;
  if (S.channel === S.boot.porting_channel) {
    return `Every port-in request gets its own thread here, with a live status board. Try <code>/port-check +14155550100</code> or <code>/port-in</code>; the bot's commands are ${commands}. Open 🧪 Sandbox (top right) to move the simulated Twilio along.`;
  }
  return `The bot is not in this channel; its commands still work here: ${commands}.`;
}

// Loads in flight, and the events they must not miss (an event can come while its
// channel's history is on its way, and the history may not hold it yet).
const catching = new Set();

async function catchingEvents(matches, load) {
  const caught = { matches, events: [] };
  catching.add(caught);
  try {
    return [await load(), caught.events];
  } finally {
    catching.delete(caught);
  }
}

async function openChannel(id, tab) {
  S.opening = id;
  const [data, missed] = await catchingEvents((e) => e.channel === id, () => get(`/ui/history/${id}`));
  if (S.opening !== id) return; // another channel was opened meanwhile
  S.channel = id;
  S.unread[id] = 0;
  S.tab = tab || (isBotDm(id) && S.boot.manifest.home_tab ? "home" : "messages");
  S.messages = data.messages.map((m) => ({ ...m, channel: id }));
  S.ephemerals = data.ephemerals;
  drawSidebar();
  drawHeader();
  drawTabs();
  $("messages").hidden = S.tab !== "messages";
  $("home").hidden = S.tab !== "home";
  drawMessages(false);
  $("messages").scrollTop = $("messages").scrollHeight;
  drawComposer();
  missed.forEach(onEvent);
  if (S.tab === "home") openHome();
}

function drawHeader() {
  const c = channelOf(S.channel);
  $("channel-header").replaceChildren(h("div", { class: "channel-title" }, isBotDm(S.channel) ? `📞 ${S.boot.bot.name}` : `# ${c.name}`),
    h("div", { class: "channel-topic" }, c.topic?.value || ""));
}

function drawTabs() {
  const tabs = $("tabs");
  if (!isBotDm(S.channel)) {
    tabs.hidden = true;
    return;
  }
  const m = S.boot.manifest;
  const tab = (name, label) => h("button", { type: "button", class: `tab${S.tab === name ? " active" : ""}`, onclick: () => openChannel(S.channel, name) }, label);
  tabs.replaceChildren(...[m.home_tab && tab("home", "Home"), m.messages_tab && tab("messages", "Messages")].filter(Boolean));
  tabs.hidden = false;
}

function drawComposer() {
  const wrap = $("composer-wrap");
  const readOnly = isBotDm(S.channel) && S.boot.manifest.messages_read_only;
  if (S.tab !== "messages") {
    wrap.replaceChildren();
    return;
  }
  wrap.replaceChildren(composer({
    placeholder: `Message ${title(S.channel)}`,
    label: "Message",
    commands: S.boot.manifest.commands,
    disabled: readOnly,
    note: readOnly ? "Sending messages to this app has been turned off." : null,
    onSend: (text, files) => post("/ui/message", { channel: S.channel, text, files }),
  }));
  if (!readOnly) wrap.firstChild.focus();
}

async function openHome() {
  await post("/ui/home").catch(() => null);
  drawHome();
}

function drawHome() {
  const home = $("home");
  const view = S.boot.home;
  if (!view) {
    home.replaceChildren(h("div", { class: "channel-intro" }, h("p", {}, `${S.boot.bot.name} has no Home tab yet.`)));
    return;
  }
  const ctx = {
    surface: "home", fmt, channels: S.boot.channels, users: S.boot.users, currentChannel: S.channel, openLink,
    act: (block, element, chosen) => post("/ui/action", { where: { view_id: view.id, values: {} }, block_id: block.block_id || "", action_id: element.action_id, chosen }).catch((e) => toast(e.message)),
  };
  home.replaceChildren(renderBlocks(view.blocks, ctx));
}

function drawSidebar() {
  const item = (c, label, icon) => h("li", {}, h("button", {
    type: "button", class: `sidebar-item${c.id === S.channel ? " active" : ""}${S.unread[c.id] ? " unread" : ""}`,
    onclick: () => openChannel(c.id), dataset: { channel: c.id },
  }, h("span", { class: "sidebar-icon" }, icon), label, S.unread[c.id] ? h("span", { class: "badge" }, S.unread[c.id]) : null));
  $("channel-list").replaceChildren(...S.boot.channels.filter((c) => !c.is_im).map((c) => item(c, c.name, "#")));
  $("app-list").replaceChildren(...S.boot.channels.filter((c) => c.is_im).map((c) => item(c, S.boot.bot.name, "📞")));
}

// -- threads -----------------------------------------------------------------------------

async function openThread(channel, ts) {
  const about = (e) => e.channel === channel && (e.message?.ts === ts || e.message?.thread_ts === ts || e.type.endsWith("_deleted"));
  const [data, missed] = await catchingEvents(about, () => get(`/ui/thread/${channel}/${ts}`));
  S.thread = { channel, ts, messages: data.messages.map((m) => ({ ...m, channel })), ephemerals: data.ephemerals };
  $("thread").hidden = false;
  drawThread(true);
  missed.forEach(onEvent);
}

function drawThread(focus = false) {
  const pane = $("thread");
  const t = S.thread;
  if (!t) {
    pane.hidden = true;
    pane.replaceChildren();
    return;
  }
  const [root, ...replies] = [...t.messages].sort(byTs);
  const rows = [...replies, ...t.ephemerals].sort(byTs);
  const messages = h("div", { class: "thread-messages" },
    root ? renderMessage(root, { inThread: true }) : null,
    h("div", { class: "thread-count" }),
    rows.map((m) => renderMessage(m, { inThread: true })));
  const box = composer({
    placeholder: "Reply…", label: "Reply", commands: S.boot.manifest.commands,
    onSend: (text, files) => post("/ui/message", { channel: t.channel, thread_ts: t.ts, text, files }),
  });
  pane.replaceChildren(h("div", { class: "thread-header" }, h("div", {}, h("b", {}, "Thread"), h("span", { class: "thread-where" }, title(t.channel))),
    h("button", { type: "button", class: "icon-button", "aria-label": "Close thread", onclick: () => { S.thread = null; drawThread(); } }, "✕")),
  messages, h("div", { class: "thread-composer" }, box));
  countReplies();
  messages.scrollTop = messages.scrollHeight;
  if (focus) box.focus();
}

function countReplies() {
  const n = S.thread.messages.length - 1;
  const slot = $("thread").querySelector(".thread-count");
  if (slot) slot.textContent = `${n} ${n === 1 ? "reply" : "replies"}`;
}

// -- links ---------------------------------------------------------------------------------

function openLink(url) {
  let href = null;
  try {
    href = safeUrl(new URL(url, location.href).href);
  } catch {
    href = null;
  }
  if (!href) return false;  // javascript:, data: and the like: never opened
  const target = new URL(href);
  const local = ["127.0.0.1", "localhost", location.hostname].includes(target.hostname);
  const m = target.pathname.match(/\/workspace\/archives\/([A-Z0-9]+)\/p(\d+)(\d{6})$/);
  if (local && m) {
    const [, channel, secs, micros] = m;
    const ts = `${secs}.${micros}`;
    const root = target.searchParams.get("thread_ts") || ts;
    openChannel(channel).then(() => openThread(channel, root));
    return true;
  }
  window.open(target.href, "_blank", "noopener");
  return false;
}

document.addEventListener("click", (e) => {
  const a = e.target.closest("a");
  if (a?.dataset.channel) {
    e.preventDefault();
    openChannel(a.dataset.channel);
  } else if (a?.dataset.link) {
    e.preventDefault();
    const inModal = a.closest("#overlay");
    if (openLink(a.href) && inModal) modals.dismiss(); // the thread shows, not under the dialog
  }
  if (!e.target.closest(".message-actions, .bk-overflow")) for (const m of document.querySelectorAll(".menu")) m.hidden = true;
});

// -- live updates ----------------------------------------------------------------------------

function onEvent(event) {
  for (const caught of catching) if (caught.matches(event)) caught.events.push(event);
  const inChannel = event.channel === S.channel && S.tab === "messages";
  const m = event.message ? { ...event.message, channel: event.channel } : null;
  const t = S.thread && event.channel === S.thread.channel ? S.thread : null;
  const main = $("messages");
  const side = $("thread").querySelector(".thread-messages");
  const inThread = (x) => t && side && (x.ts === t.ts || x.thread_ts === t.ts);
  switch (event.type) {
    case "message":
    case "message_changed": {
      const top = !m.thread_ts || m.thread_ts === m.ts;
      if (event.channel === S.channel && top) {
        upsert(S.messages, m);
        if (inChannel) keepBottom(main, () => place(main, m));
      }
      if (inThread(m)) {
        upsert(t.messages, m);
        keepBottom(side, () => place(side, m, { inThread: true }));
        countReplies();
      }
      if (event.type === "message" && event.channel !== S.channel && top) {
        S.unread[event.channel] = (S.unread[event.channel] || 0) + 1;
        drawSidebar();
      }
      return;
    }
    case "message_deleted":
      S.messages = S.messages.filter((x) => !(event.channel === S.channel && x.ts === event.ts));
      if (t) t.messages = t.messages.filter((x) => x.ts !== event.ts);
      unplace(event.ts);
      return;
    case "ephemeral":
      if (m.thread_ts && inThread(m)) {
        upsert(t.ephemerals, m);
        keepBottom(side, () => place(side, m, { inThread: true }));
      } else if (event.channel === S.channel && !m.thread_ts) {
        upsert(S.ephemerals, m);
        if (inChannel) keepBottom(main, () => place(main, m));
      }
      return;
    case "ephemeral_deleted":
      S.ephemerals = S.ephemerals.filter((x) => x.ts !== event.ts);
      if (S.thread) S.thread.ephemerals = S.thread.ephemerals.filter((x) => x.ts !== event.ts);
      unplace(event.ts);
      return;
    case "modal":
      modals.render(event.stack);
      return;
    case "home":
      S.boot.home = event.view;
      if (S.tab === "home") drawHome();
      return;
    case "reload":
      location.reload();
      return;
    default:
  }
}

// Interactive: the first channel is drawn and the push stream is open.
function ready(part) {
  document.body.dataset[part] = "1";
  if (document.body.dataset.ready === "1" && document.body.dataset.live === "1" && !performance.getEntriesByName("workspace-interactive").length) {
    performance.mark("workspace-interactive");
  }
}

// After a reconnect the channel and the open thread are read again: a thread the server no
// longer has (it restarted) closes instead of showing what is gone.
async function caughtUp() {
  await openChannel(S.channel, S.tab);
  if (!S.thread) return;
  const { channel, ts } = S.thread;
  const data = await get(`/ui/thread/${channel}/${ts}`).catch(() => null);
  if (data?.messages?.length) {
    await openThread(channel, ts);
  } else {
    S.thread = null;
    drawThread();
  }
}

function listen() {
  const stream = new EventSource(`${BASE}/ui/stream`);
  let opened = false;
  stream.onopen = () => {
    if (opened) caughtUp(); // reconnected (the server may have restarted): catch up
    opened = true;
    ready("live");
  };
  stream.onmessage = (e) => onEvent(JSON.parse(e.data));
  stream.onerror = () => { document.body.dataset.live = "0"; };
}

// -- start -----------------------------------------------------------------------------------

async function start() {
  S.boot = await get("/ui/boot");
  $("team-name").textContent = S.boot.team.name;
  document.title = `${S.boot.team.name} · ${S.boot.bot.name}`;
  const linkFromModal = (url) => {
    const here = openLink(url);
    if (here) modals.dismiss(); // a thread opened here: the dialog does not stay over it
    return here;
  };
  modals = new Modals($("overlay"), () => ({ fmt, channels: S.boot.channels, users: S.boot.users, currentChannel: S.channel, openLink: linkFromModal }));
  if (S.boot.sandbox) {
    sandbox = new SandboxPanel($("sandbox"), S.boot.sandbox);
    $("sandbox-toggle").addEventListener("click", () => sandbox.toggle());
  } else {
    $("sandbox-toggle").hidden = true;
  }
  const deep = location.pathname.match(/\/archives\/([A-Z0-9]+)/);
  listen();
  if (deep) openLink(location.href);
  else await openChannel(S.boot.porting_channel);
  modals.render(S.boot.modals);
  ready("ready");
}

hooks.openThread = openThread;
hooks.openLink = openLink;

start().catch((error) => {
  document.body.replaceChildren(h("pre", { class: "fatal" }, `The workspace did not load: ${error.message}`));
});
