// One message as Slack draws it (avatar, name, time, blocks or text, files, thread summary,
// "Only visible to you", the hover menu with the app's message shortcuts), and placing it
// in a list in ts order so an event redraws only the message it is about.

import { h, renderBlocks, size } from "./blockkit.js";
import { mrkdwn } from "./mrkdwn.js";
import { fileUrl, post, toast } from "./net.js";
import { S, fmt, hooks, timeOf } from "./state.js";

export function avatar(message) {
  if (message.bot_id || message.user === S.boot.bot.user_id) return h("div", { class: "avatar avatar-bot", "aria-hidden": "true" }, "📞");
  if (message.user === "USLACKBOT") return h("div", { class: "avatar avatar-slackbot", "aria-hidden": "true" }, "🤖");
  const name = fmt.userName(message.user || "?");
  return h("div", { class: "avatar", "aria-hidden": "true" }, name.slice(0, 1).toUpperCase());
}

export function author(message) {
  if (message.bot_id || message.user === S.boot.bot.user_id) return [S.boot.bot.name, h("span", { class: "app-badge" }, "APP")];
  if (message.user === "USLACKBOT") return ["Slackbot"];
  return [fmt.userName(message.user)];
}

export function fileCard(file) {
  return h("div", { class: "file-card" },
    h("div", { class: "file-icon" }, (file.filetype || "file").toUpperCase().slice(0, 4)),
    h("div", { class: "file-meta" }, h("div", { class: "file-name" }, file.title || file.name), h("div", { class: "file-size" }, `${file.pretty_type || ""} · ${size(file.size)}`)),
    h("a", { class: "bk-button file-download", href: fileUrl(file), download: file.name, "aria-label": `Download ${file.name}` }, "Download"));
}

export function where(message) {
  return message.is_ephemeral
    ? { channel: message.channel, ts: message.ts, ephemeral: true }
    : { channel: message.channel || S.channel, ts: message.ts };
}

export async function act(message, block, element, chosen) {
  try {
    await post("/ui/action", { where: where(message), block_id: block.block_id || "", action_id: element.action_id, chosen });
  } catch (error) {
    toast(`That did not work: ${error.message}`);
  }
}

export function messageMenu(message, inThread) {
  const menu = h("div", { class: "menu", hidden: true });
  for (const s of S.boot.manifest.shortcuts.filter((x) => x.type === "message")) {
    menu.append(h("button", { type: "button", class: "menu-item", onclick: async () => {
      menu.hidden = true;
      try {
        await post("/ui/shortcut", { channel: message.channel || S.channel, ts: message.ts, callback_id: s.callback_id });
      } catch (error) {
        toast(error.message);
      }
    } }, h("b", {}, s.name), h("div", { class: "description" }, `${S.boot.bot.name} · ${s.description}`)));
  }
  const buttons = h("div", { class: "message-actions" });
  if (!inThread) buttons.append(h("button", { type: "button", class: "icon-button", title: "Reply in thread", "aria-label": "Reply in thread", onclick: () => hooks.openThread(message.channel || S.channel, message.ts) }, "💬"));
  buttons.append(h("button", { type: "button", class: "icon-button", title: "More actions", "aria-label": "More actions", onclick: () => { menu.hidden = !menu.hidden; } }, "⋮"), menu);
  return buttons;
}

export function renderMessage(message, { inThread = false } = {}) {
  const ctx = {
    surface: "message", fmt, channels: S.boot.channels, users: S.boot.users, currentChannel: S.channel,
    act: (block, element, chosen) => act(message, block, element, chosen), openLink: hooks.openLink,
  };
  const content = message.blocks?.length
    ? renderBlocks(message.blocks, ctx)
    : h("div", { class: "message-text", html: mrkdwn(message.text, fmt) });
  const replies = !inThread && message.reply_count
    ? h("button", { type: "button", class: "thread-summary", onclick: () => hooks.openThread(message.channel || S.channel, message.ts) },
      `${message.reply_count} ${message.reply_count === 1 ? "reply" : "replies"}`, h("span", { class: "thread-last" }, `Last reply ${timeOf(message.latest_reply)}`))
    : null;
  const ephemeral = message.is_ephemeral
    ? h("div", { class: "ephemeral-note" }, "👁 Only visible to you · ",
      h("button", { type: "button", class: "link-button", onclick: () => dismiss(message) }, "Dismiss"))
    : null;
  const el = h("div", { class: `message${message.is_ephemeral ? " ephemeral" : ""}`, dataset: { ts: message.ts } },
    avatar(message),
    h("div", { class: "message-body" },
      h("div", { class: "message-head" }, h("b", { class: "author" }, ...author(message)), h("span", { class: "time", title: new Date(Number(message.ts) * 1000).toString() }, timeOf(message.ts)),
        message.edited ? h("span", { class: "edited" }, "(edited)") : null),
      content,
      (message.files || []).map(fileCard),
      replies, ephemeral),
    message.is_ephemeral ? null : messageMenu(message, inThread));
  return el;
}

export function dismiss(message) {
  const drop = (list) => list.filter((e) => e.ts !== message.ts);
  S.ephemerals = drop(S.ephemerals);
  if (S.thread) S.thread.ephemerals = drop(S.thread.ephemerals);
  unplace(message.ts);
}

// One message's element in a list, in ts order, replacing its previous element: an event
// redraws only the message it is about.
export function place(list, message, opts = {}) {
  const el = renderMessage(message, opts);
  const old = list.querySelector(`:scope > .message[data-ts="${CSS.escape(message.ts)}"]`);
  if (old) {
    old.replaceWith(el);
    return;
  }
  const later = [...list.querySelectorAll(":scope > .message")].find((x) => Number(x.dataset.ts) > Number(message.ts));
  if (later) list.insertBefore(el, later);
  else list.append(el);
}

export function unplace(ts) {
  for (const el of document.querySelectorAll(`.message[data-ts="${CSS.escape(ts)}"]`)) el.remove();
}

export function keepBottom(list, change) {
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  change();
  if (atBottom) list.scrollTop = list.scrollHeight;
}

export function byTs(a, b) {
  return Number(a.ts) - Number(b.ts);
}

export function upsert(list, message) {
  const i = list.findIndex((m) => m.ts === message.ts);
  if (i >= 0) list[i] = message;
  else list.push(message);
}
