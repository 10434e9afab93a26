// Slack's mrkdwn as HTML: *bold*, _italic_, ~strike~, `code`, ```pre```, > quotes, links
// <url|text>, mentions <@U…>, <#C…>, <!subteam^S…>, <!here>, and dates <!date^ts^format|text>.

const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ESC[c]);
// Links the page follows: the web, e-mail and Slack's own; anything else (javascript:, data:,
// a relative path) is drawn as the text it was. Returns the parsed URL, or null.
const SCHEMES = new Set(["http:", "https:", "mailto:", "slack:"]);
export function safeUrl(url) {
  try {
    const parsed = new URL(String(url ?? ""));
    return SCHEMES.has(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}
// Slack's own escaping in message text (&amp; &lt; &gt;) comes back to characters first.
const unslack = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function ordinal(n) {
  const s = ["th", "st", "nd", "rd"], v = n % 100;
  return n + (s[(v - 20) % 10] || s[v] || s[0]);
}

function pretty(d, fallback) {
  const today = new Date();
  const day = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const diff = Math.round((day(d) - day(today)) / 86400000);
  return diff === 0 ? "today" : diff === -1 ? "yesterday" : diff === 1 ? "tomorrow" : fallback;
}

export function slackDate(ts, format) {
  const d = new Date(Number(ts) * 1000);
  const time = d.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  const secs = d.toLocaleTimeString([], { hour: "numeric", minute: "2-digit", second: "2-digit" });
  const short = `${MONTHS[d.getMonth()].slice(0, 3)} ${d.getDate()}, ${d.getFullYear()}`;
  const long = `${MONTHS[d.getMonth()]} ${ordinal(d.getDate())}, ${d.getFullYear()}`;
  const full = `${DAYS[d.getDay()]}, ${long}`;
  const num = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  const tokens = {
    date_num: num, date: long, date_short: short, date_long: full,
    date_pretty: pretty(d, long), date_short_pretty: pretty(d, short),
    date_long_pretty: pretty(d, full), time, time_secs: secs,
  };
  return format.replace(/\{(\w+)\}/g, (m, k) => tokens[k] ?? m);
}

// ctx: { userName(id), channelName(id), groupName(id) }
function token(inner, ctx) {
  const [target, label] = splitOnce(inner, "|");
  if (target.startsWith("@")) {
    const id = target.slice(1);
    return `<span class="mention" data-user="${esc(id)}">@${esc(label || ctx.userName(id))}</span>`;
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    return `<a class="mention channel-link" href="#" data-channel="${esc(id)}">#${esc(label || ctx.channelName(id))}</a>`;
  }
  if (target.startsWith("!date^")) {
    const [, ts, format, link] = target.split("^");
    const text = slackDate(ts, format || "{date_short}");
    const title = new Date(Number(ts) * 1000).toString();
    const href = link && safeUrl(link);
    return href
      ? `<a href="${esc(href)}" target="_blank" rel="noopener" title="${esc(title)}">${esc(text)}</a>`
      : `<time title="${esc(title)}" data-fallback="${esc(label || "")}">${esc(text)}</time>`;
  }
  if (target.startsWith("!subteam^")) {
    const id = target.slice(9);
    return `<span class="mention">@${esc(label || ctx.groupName(id))}</span>`;
  }
  if (target.startsWith("!")) {
    return `<span class="mention">@${esc(label || target.slice(1))}</span>`;
  }
  const href = safeUrl(target);
  if (!href) return esc(`<${inner}>`);  // not a link the page follows: the text as typed
  const text = label || target.replace(/^mailto:/, "");
  return `<a href="${esc(href)}" data-link="1" target="_blank" rel="noopener">${esc(text)}</a>`;
}

function splitOnce(s, sep) {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ""] : [s.slice(0, i), s.slice(i + 1)];
}

function inline(text, ctx) {
  // Tokens <…> become placeholders so their HTML survives escaping and styling.
  const saved = [];
  const keep = (html) => `\u0000${saved.push(html) - 1}\u0000`;
  let s = text.replace(/`([^`\n]+)`/g, (m, code) => keep(`<code>${esc(unslack(code))}</code>`));
  s = s.replace(/<([^<>\n]+)>/g, (m, inner) => keep(token(unslack(inner), ctx)));
  s = esc(unslack(s));
  const edge = "(^|[\\s(\\[{\"'“‘•>—–-]|\\u0000)";
  const end = "(?=$|[\\s).,;:!?\\]}\"'”’…—–-]|\\u0000)";
  s = s.replace(new RegExp(`${edge}\\*(?!\\s)([^*\\n]+?)\\*${end}`, "g"), "$1<b>$2</b>");
  s = s.replace(new RegExp(`${edge}_(?!\\s)([^_\\n]+?)_${end}`, "g"), "$1<i>$2</i>");
  s = s.replace(new RegExp(`${edge}~(?!\\s)([^~\\n]+?)~${end}`, "g"), "$1<s>$2</s>");
  s = s.replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] ?? m);
  return s.replace(/\u0000(\d+)\u0000/g, (m, i) => saved[Number(i)]);
}

const EMOJI = {
  white_check_mark: "✅", x: "❌", warning: "⚠️", hourglass: "⏳", hourglass_flowing_sand: "⏳",
  tada: "🎉", wave: "👋", mag: "🔍", lock: "🔒", telephone_receiver: "📞", calendar: "📅",
  no_entry: "⛔", paperclip: "📎", rocket: "🚀", information_source: "ℹ️", memo: "📝",
};

export function mrkdwn(text, ctx) {
  const out = [];
  const parts = String(text ?? "").split("```");
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      out.push(`<pre>${esc(unslack(part.replace(/^\n/, "")))}</pre>`);
      return;
    }
    const lines = part.split("\n");
    let quote = [];
    const flush = () => {
      if (quote.length) out.push(`<blockquote>${quote.join("<br>")}</blockquote>`);
      quote = [];
    };
    lines.forEach((line, j) => {
      const q = line.match(/^(&gt;|>)\s?(.*)$/);
      if (q) {
        quote.push(inline(q[2], ctx));
        return;
      }
      flush();
      out.push(inline(line, ctx) + (j < lines.length - 1 ? "<br>" : ""));
    });
    flush();
  });
  return out.join("");
}

export function plain(text) {
  return esc(text ?? "").replace(/\n/g, "<br>");
}

// A text object (plain_text or mrkdwn) as HTML.
export function textObject(obj, ctx) {
  if (!obj) return "";
  if (typeof obj === "string") return mrkdwn(obj, ctx);
  return obj.type === "mrkdwn" ? mrkdwn(obj.text, ctx) : plain(obj.text);
}
