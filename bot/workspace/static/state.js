// What the page holds: the boot data, the channel and thread shown, and how names read.

export const S = {
  boot: null,
  channel: null, // the channel shown in the main pane
  opening: null, // the channel being opened
  tab: "messages", // in the bot's DM: "home" or "messages"
  messages: [], // its top-level messages, oldest first
  ephemerals: [],
  thread: null, // { channel, ts, messages, ephemerals }
  unread: {},
};
// Set by app.js: what a message's buttons and links open.
export const hooks = { openThread: null, openLink: null };
export const $ = (id) => document.getElementById(id);

export const fmt = {
  userName: (id) => {
    const u = S.boot.users[id];
    return u ? (u.profile?.display_name || u.real_name || u.name) : id;
  },
  channelName: (id) => S.boot.channels.find((c) => c.id === id)?.name || id.toLowerCase(),
  groupName: (id) => id,
};

export const channelOf = (id) => S.boot.channels.find((c) => c.id === id) || { id, name: id.toLowerCase() };
export const isBotDm = (id) => channelOf(id).is_im;
export const title = (id) => (isBotDm(id) ? S.boot.bot.name : `#${channelOf(id).name}`);

export function timeOf(ts) {
  return new Date(Number(ts) * 1000).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
}
