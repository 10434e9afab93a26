// Block Kit, rendered the way Slack draws it: every block and element the bot sends.
// renderBlocks(blocks, ctx) → element. ctx: { surface: "message"|"modal"|"home", fmt (mrkdwn
// names), act(block, element, chosen) for interactive elements, and for views: inputs (a list
// the input elements register their state readers in), errors {block_id: text}, kept
// (previous values by block/action id), upload(file) → file object, channels, users,
// currentChannel }.

import { esc, mrkdwn, plain, safeUrl, textObject } from "./mrkdwn.js";

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "html") el.innerHTML = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const text = (obj, ctx) => h("span", { html: textObject(obj, ctx.fmt) });
const plainText = (obj) => (obj && typeof obj === "object" ? obj.text : obj) ?? "";

export function renderBlocks(blocks, ctx) {
  const root = h("div", { class: `blocks blocks-${ctx.surface}` });
  for (const block of blocks || []) {
    const el = renderBlock(block, ctx);
    if (el) {
      el.dataset.blockId = block.block_id || "";
      root.append(el);
    }
  }
  return root;
}

function renderBlock(block, ctx) {
  switch (block.type) {
    case "section": return section(block, ctx);
    case "header": return h("div", { class: "bk-header" }, plainText(block.text));
    case "divider": return h("hr", { class: "bk-divider" });
    case "context": return context(block, ctx);
    case "actions": return h("div", { class: "bk-actions" }, (block.elements || []).map((e) => element(e, block, ctx)));
    case "image": return image(block);
    case "input": return input(block, ctx);
    case "markdown": return h("div", { class: "bk-section", html: mrkdwn(block.text, ctx.fmt) });
    case "rich_text": return h("div", { class: "bk-section", html: richText(block, ctx) });
    default: return h("div", { class: "bk-unknown" }, `[${block.type} block]`);
  }
}

function section(block, ctx) {
  const body = h("div", { class: "bk-section-body" });
  if (block.text) body.append(h("div", { class: "bk-text" }, text(block.text, ctx)));
  if (block.fields) {
    body.append(h("div", { class: "bk-fields" }, block.fields.map((f) => h("div", { class: "bk-field" }, text(f, ctx)))));
  }
  const row = h("div", { class: "bk-section" }, body);
  if (block.accessory) row.append(h("div", { class: "bk-accessory" }, element(block.accessory, block, ctx)));
  return row;
}

function context(block, ctx) {
  return h("div", { class: "bk-context" }, (block.elements || []).map((e) =>
    e.type === "image"
      ? h("img", { src: safeUrl(e.image_url), alt: e.alt_text, class: "bk-context-image" })
      : h("span", { class: "bk-context-text" }, text(e, ctx))));
}

function image(block) {
  return h("figure", { class: "bk-image" },
    block.title ? h("figcaption", {}, plainText(block.title)) : null,
    h("img", { src: safeUrl(block.image_url), alt: block.alt_text }));
}

// An emoji element: its code points (``1f44d`` or ``1f1fa-1f1f8``) when they are valid, else
// its name between colons (escaped by the caller, like every other text).
function emoji(e) {
  const points = String(e.unicode ?? "").split("-").map((p) => (/^[0-9a-f]{1,6}$/i.test(p) ? parseInt(p, 16) : NaN));
  if (e.unicode && points.every((p) => p <= 0x10ffff)) return String.fromCodePoint(...points);
  return `:${e.name ?? ""}:`;
}

function richText(block, ctx) {
  const inlineEls = (els) => (els || []).map((e) => {
    if (e.type === "text") {
      let s = esc(e.text).replace(/\n/g, "<br>");
      if (e.style?.bold) s = `<b>${s}</b>`;
      if (e.style?.italic) s = `<i>${s}</i>`;
      if (e.style?.code) s = `<code>${s}</code>`;
      return s;
    }
    if (e.type === "link") {
      const href = safeUrl(e.url);
      return href ? `<a href="${esc(href)}" target="_blank" rel="noopener">${esc(e.text || e.url)}</a>` : esc(e.text || e.url);
    }
    if (e.type === "user") return `<span class="mention">@${esc(ctx.fmt.userName(e.user_id))}</span>`;
    if (e.type === "emoji") return esc(emoji(e));
    return "";
  }).join("");
  return (block.elements || []).map((sub) => {
    if (sub.type === "rich_text_list") return `<ul>${(sub.elements || []).map((li) => `<li>${inlineEls(li.elements)}</li>`).join("")}</ul>`;
    if (sub.type === "rich_text_preformatted") return `<pre>${inlineEls(sub.elements)}</pre>`;
    if (sub.type === "rich_text_quote") return `<blockquote>${inlineEls(sub.elements)}</blockquote>`;
    return `<div>${inlineEls(sub.elements)}</div>`;
  }).join("");
}

// -- interactive elements ----------------------------------------------------------------

function confirmed(el) {
  const c = el.confirm;
  if (!c) return true;
  const title = plainText(c.title), body = plainText(c.text);
  return window.confirm(`${title}\n\n${body}`);
}

function button(el, block, ctx) {
  const style = el.style ? ` bk-button-${el.style}` : "";
  const b = h("button", { type: "button", class: `bk-button${style}`, dataset: { actionId: el.action_id || "" } }, plainText(el.text));
  b.addEventListener("click", async () => {
    if (!confirmed(el)) return;
    if (el.url) ctx.openLink(el.url);
    b.disabled = true;
    try {
      await ctx.act(block, el, {});
    } finally {
      b.disabled = false;
    }
  });
  return b;
}

function overflow(el, block, ctx) {
  const wrap = h("div", { class: "bk-overflow" });
  const menu = h("div", { class: "menu", hidden: true });
  for (const o of el.options || []) {
    menu.append(h("button", { type: "button", class: "menu-item", onclick: async () => {
      menu.hidden = true;
      if (o.url) ctx.openLink(o.url);
      if (confirmed(el)) await ctx.act(block, el, { selected_option: o });
    } }, plainText(o.text)));
  }
  wrap.append(h("button", { type: "button", class: "bk-button bk-overflow-button", "aria-label": "More", onclick: () => { menu.hidden = !menu.hidden; } }, "⋯"), menu);
  return wrap;
}

function optionsOf(el) {
  if (el.options) return el.options;
  return (el.option_groups || []).flatMap((g) => g.options || []);
}

function staticSelect(el, block, ctx, kept) {
  const select = h("select", { class: "bk-select", dataset: { actionId: el.action_id || "" } });
  const chosen = kept?.selected_option?.value ?? el.initial_option?.value;
  select.append(h("option", { value: "" }, plainText(el.placeholder) || "Select an item"));
  for (const o of optionsOf(el)) select.append(h("option", { value: o.value, selected: o.value === chosen }, plainText(o.text)));
  const read = () => optionsOf(el).find((o) => o.value === select.value) || null;
  if (ctx.surface === "message") select.addEventListener("change", () => confirmed(el) && ctx.act(block, el, { selected_option: read() }));
  return { node: select, read: () => ({ type: el.type, selected_option: read() }) };
}

function multiSelect(el, block, ctx, kept) {
  const chosen = new Set((kept?.selected_options || el.initial_options || []).map((o) => o.value));
  const box = h("div", { class: "bk-multi", dataset: { actionId: el.action_id || "" } });
  const search = h("input", { type: "search", class: "bk-input bk-multi-search", placeholder: plainText(el.placeholder) || "Select options" });
  const list = h("div", { class: "bk-multi-list" });
  const count = h("div", { class: "bk-multi-count" });
  const refresh = () => { count.textContent = chosen.size ? `${chosen.size} selected` : ""; };
  for (const o of optionsOf(el)) {
    const id = `m-${Math.random().toString(36).slice(2)}`;
    const cb = h("input", { type: "checkbox", id, value: o.value, checked: chosen.has(o.value) });
    cb.addEventListener("change", () => { cb.checked ? chosen.add(o.value) : chosen.delete(o.value); refresh(); });
    list.append(h("label", { class: "bk-multi-option", for: id, dataset: { text: plainText(o.text).toLowerCase() } }, cb, plainText(o.text)));
  }
  search.addEventListener("input", () => {
    const q = search.value.toLowerCase();
    for (const row of list.children) row.hidden = q && !row.dataset.text.includes(q);
  });
  refresh();
  box.append(search, list, count);
  return { node: box, read: () => ({ type: el.type, selected_options: optionsOf(el).filter((o) => chosen.has(o.value)) }) };
}

function conversationsSelect(el, block, ctx, kept) {
  const select = h("select", { class: "bk-select", dataset: { actionId: el.action_id || "" } });
  let chosen = kept?.selected_conversation ?? el.initial_conversation;
  if (!chosen && el.default_to_current_conversation) chosen = ctx.currentChannel;
  select.append(h("option", { value: "" }, plainText(el.placeholder) || "Select a channel"));
  for (const c of ctx.channels || []) {
    if (c.is_im) continue;
    select.append(h("option", { value: c.id, selected: c.id === chosen }, `# ${c.name}`));
  }
  const read = () => select.value || null;
  if (ctx.surface === "message") select.addEventListener("change", () => ctx.act(block, el, { selected_conversation: read() }));
  return { node: select, read: () => ({ type: el.type, selected_conversation: read() }) };
}

function usersSelect(el, block, ctx, kept) {
  const select = h("select", { class: "bk-select" });
  const chosen = kept?.selected_user ?? el.initial_user;
  select.append(h("option", { value: "" }, plainText(el.placeholder) || "Select a person"));
  for (const u of Object.values(ctx.users || {})) {
    select.append(h("option", { value: u.id, selected: u.id === chosen }, u.real_name || u.name));
  }
  const read = () => select.value || null;
  if (ctx.surface === "message") select.addEventListener("change", () => ctx.act(block, el, { selected_user: read() }));
  return { node: select, read: () => ({ type: el.type, selected_user: read() }) };
}

function picker(el, block, ctx, kept, kind) {
  const key = kind === "date" ? "selected_date" : "selected_time";
  const initial = kept?.[key] ?? (kind === "date" ? el.initial_date : el.initial_time) ?? "";
  const input = h("input", { type: kind, class: "bk-input bk-picker", value: initial, dataset: { actionId: el.action_id || "" } });
  if (ctx.surface === "message") input.addEventListener("change", () => ctx.act(block, el, { [key]: input.value || null }));
  return { node: input, read: () => ({ type: el.type, [key]: input.value || null }) };
}

function textInput(el, ctx, kept) {
  const type = { email_text_input: "email", url_text_input: "url", number_input: "number" }[el.type] || "text";
  const attrs = {
    class: "bk-input",
    placeholder: plainText(el.placeholder),
    maxlength: el.max_length,
    dataset: { actionId: el.action_id || "" },
  };
  const node = el.multiline ? h("textarea", { ...attrs, rows: 4 }) : h("input", { ...attrs, type });
  node.value = kept?.value ?? el.initial_value ?? "";
  return {
    node,
    read: () => ({ type: el.type, value: node.value === "" ? null : node.value }),
    check: () => {
      if (el.min_length && node.value && node.value.length < el.min_length) return `Please enter at least ${el.min_length} characters.`;
      if (type === "email" && node.value && !node.checkValidity()) return "Please enter a valid email address.";
      return null;
    },
  };
}

function choices(el, block, ctx, kept, multiple) {
  const key = multiple ? "selected_options" : "selected_option";
  const initial = multiple ? (kept?.selected_options || el.initial_options || []) : [kept?.selected_option || el.initial_option].filter(Boolean);
  const chosen = new Set(initial.map((o) => o.value));
  const name = `c-${Math.random().toString(36).slice(2)}`;
  const box = h("div", { class: "bk-choices", dataset: { actionId: el.action_id || "" } });
  for (const o of el.options || []) {
    const input = h("input", { type: multiple ? "checkbox" : "radio", name, value: o.value, checked: chosen.has(o.value) });
    input.addEventListener("change", () => {
      if (!multiple) chosen.clear();
      input.checked ? chosen.add(o.value) : chosen.delete(o.value);
      if (ctx.surface === "message") ctx.act(block, el, { [key]: read() });
    });
    box.append(h("label", { class: "bk-choice" }, input, h("span", {},
      text(o.text, ctx), o.description ? h("div", { class: "bk-choice-description" }, text(o.description, ctx)) : null)));
  }
  const read = () => {
    const picked = (el.options || []).filter((o) => chosen.has(o.value));
    return multiple ? picked : picked[0] || null;
  };
  return { node: box, read: () => ({ type: el.type, [key]: read() }) };
}

function fileInput(el, ctx, kept) {
  const files = [...(kept?._files || [])];
  const accept = (el.filetypes || []).map((t) => `.${t}`).join(",");
  const picker = h("input", { type: "file", accept: accept || null, multiple: (el.max_files || 10) > 1, class: "bk-file-picker" });
  const list = h("div", { class: "bk-file-list" });
  const status = h("div", { class: "bk-file-status" });
  const draw = () => {
    list.replaceChildren(...files.map((f, i) => h("div", { class: "file-chip" }, `📄 ${f.name} (${size(f.size)})`,
      h("button", { type: "button", class: "link-button", "aria-label": `Remove ${f.name}`, onclick: () => { files.splice(i, 1); draw(); } }, "✕"))));
  };
  picker.addEventListener("change", async () => {
    for (const file of picker.files) {
      if (files.length >= (el.max_files || 10)) break;
      status.textContent = `Uploading ${file.name}…`;
      try {
        files.push(await ctx.upload(file));
      } catch (error) {
        status.textContent = `${file.name}: ${error.message}`;
        continue;
      }
      status.textContent = "";
    }
    picker.value = "";
    draw();
  });
  draw();
  const types = (el.filetypes || []).join(", ");
  const box = h("div", { class: "bk-file", dataset: { actionId: el.action_id || "" } },
    h("label", { class: "bk-file-drop" }, picker, h("span", {}, "📎 Drag a file here or ", h("u", {}, "browse")), types ? h("small", {}, ` (${types})`) : null),
    list, status);
  return { node: box, read: () => ({ type: "file_input", files: files.map((f) => f.id), _files: files }), files };
}

export function size(bytes) {
  if (bytes == null) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function field(el, block, ctx, kept) {
  switch (el.type) {
    case "static_select":
    case "external_select": return staticSelect(el, block, ctx, kept);
    case "multi_static_select":
    case "multi_external_select": return multiSelect(el, block, ctx, kept);
    case "conversations_select":
    case "channels_select": return conversationsSelect(el, block, ctx, kept);
    case "users_select": return usersSelect(el, block, ctx, kept);
    case "datepicker": return picker(el, block, ctx, kept, "date");
    case "timepicker": return picker(el, block, ctx, kept, "time");
    case "checkboxes": return choices(el, block, ctx, kept, true);
    case "radio_buttons": return choices(el, block, ctx, kept, false);
    case "plain_text_input":
    case "email_text_input":
    case "url_text_input":
    case "number_input": return textInput(el, ctx, kept);
    case "file_input": return fileInput(el, ctx, kept);
    default: return { node: h("span", { class: "bk-unknown" }, `[${el.type}]`), read: () => ({ type: el.type }) };
  }
}

function element(el, block, ctx) {
  if (el.type === "button") return button(el, block, ctx);
  if (el.type === "overflow") return overflow(el, block, ctx);
  if (el.type === "image") return h("img", { src: el.image_url, alt: el.alt_text, class: "bk-accessory-image" });
  const kept = ctx.kept?.[block.block_id]?.[el.action_id];
  const made = field(el, block, ctx, kept);
  if (ctx.inputs && ctx.surface !== "message") ctx.inputs.push({ block, element: el, read: made.read, optional: true, check: made.check });
  return made.node;
}

function input(block, ctx) {
  const el = block.element || {};
  const kept = ctx.kept?.[block.block_id]?.[el.action_id];
  const made = field(el, block, ctx, kept);
  const error = ctx.errors?.[block.block_id];
  const wrap = h("div", { class: `bk-input-block${error ? " has-error" : ""}` },
    h("label", { class: "bk-label" }, plainText(block.label), block.optional ? h("span", { class: "bk-optional" }, " (optional)") : null),
    made.node,
    block.hint ? h("div", { class: "bk-hint" }, text(block.hint, ctx)) : null,
    h("div", { class: "bk-error", role: "alert", hidden: !error }, error || ""));
  ctx.inputs?.push({
    block, element: el, read: made.read, optional: !!block.optional, check: made.check,
    showError: (message) => {
      const slot = wrap.querySelector(".bk-error");
      slot.textContent = message || "";
      slot.hidden = !message;
      wrap.classList.toggle("has-error", !!message);
    },
  });
  return wrap;
}

// Is a state value empty (a required field left blank)?
export function isEmpty(value) {
  if (!value) return true;
  if ("value" in value) return value.value === null || value.value === "";
  if ("selected_option" in value) return !value.selected_option;
  if ("selected_options" in value) return !value.selected_options.length;
  if ("selected_date" in value) return !value.selected_date;
  if ("selected_time" in value) return !value.selected_time;
  if ("selected_conversation" in value) return !value.selected_conversation;
  if ("selected_user" in value) return !value.selected_user;
  if ("files" in value) return !value.files.length;
  return false;
}

export { plainText };
