// The message box: Enter sends (Shift+Enter: new line), "/" suggests the app's slash
// commands (↑/↓ to choose, Tab or Enter to take one), 📎 attaches files.

import { h, size } from "./blockkit.js";
import { toast, upload } from "./net.js";

export function composer({ placeholder, commands, disabled, note, onSend, label }) {
  const files = [];
  const box = h("textarea", { class: "composer-input", rows: 1, placeholder, "aria-label": label || placeholder, disabled });
  const chips = h("div", { class: "composer-files" });
  const suggest = h("div", { class: "suggestions", hidden: true, role: "listbox" });
  const picker = h("input", { type: "file", multiple: true, hidden: true });
  const attach = h("button", { type: "button", class: "composer-attach", title: "Attach a file", "aria-label": "Attach a file", disabled, onclick: () => picker.click() }, "📎");
  const send = h("button", { type: "button", class: "composer-send", title: "Send", "aria-label": "Send", disabled, onclick: () => submit() }, "➤");
  let shown = [], chosen = 0;

  const drawFiles = () => chips.replaceChildren(...files.map((f, i) => h("div", { class: "file-chip" },
    `📄 ${f.name} (${size(f.size)})`,
    h("button", { type: "button", class: "link-button", "aria-label": `Remove ${f.name}`, onclick: () => { files.splice(i, 1); drawFiles(); } }, "✕"))));

  picker.addEventListener("change", async () => {
    for (const file of picker.files) {
      try {
        files.push(await upload(file));
      } catch (error) {
        toast(`${file.name}: ${error.message}`);
      }
    }
    picker.value = "";
    drawFiles();
  });

  const drawSuggestions = () => {
    const value = box.value;
    const typed = value.startsWith("/") && !value.includes(" ") ? value : null;
    shown = typed === null ? [] : commands.filter((c) => c.command.startsWith(typed));
    suggest.hidden = !shown.length;
    chosen = Math.min(chosen, Math.max(0, shown.length - 1));
    suggest.replaceChildren(...shown.map((c, i) => h("div", {
      class: `suggestion${i === chosen ? " active" : ""}`, role: "option",
      onmousedown: (e) => { e.preventDefault(); take(i); },
    }, h("b", {}, c.command), c.usage_hint ? h("span", { class: "usage" }, ` ${c.usage_hint}`) : null,
    h("div", { class: "description" }, c.description))));
  };

  const take = (i) => {
    box.value = `${shown[i].command} `;
    suggest.hidden = true;
    box.focus();
  };

  const grow = () => {
    box.style.height = "auto";
    box.style.height = `${Math.min(box.scrollHeight, 200)}px`;
  };

  const submit = async () => {
    const text = box.value;
    if (!text.trim() && !files.length) return;
    const sent = files.splice(0);
    box.value = "";
    drawFiles();
    grow();
    suggest.hidden = true;
    try {
      await onSend(text, sent.map((f) => f.id));
    } catch (error) {
      toast(error.message);
    }
  };

  box.addEventListener("input", () => { chosen = 0; drawSuggestions(); grow(); });
  box.addEventListener("keydown", (e) => {
    if (!suggest.hidden && shown.length) {
      if (e.key === "ArrowDown") { chosen = (chosen + 1) % shown.length; drawSuggestions(); e.preventDefault(); return; }
      if (e.key === "ArrowUp") { chosen = (chosen + shown.length - 1) % shown.length; drawSuggestions(); e.preventDefault(); return; }
      if (e.key === "Tab" || (e.key === "Enter" && !e.shiftKey && box.value !== shown[chosen].command)) {
        take(chosen);
        e.preventDefault();
        return;
      }
      if (e.key === "Escape") { suggest.hidden = true; return; }
    }
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });

  const wrap = h("div", { class: `composer${disabled ? " disabled" : ""}` }, suggest, chips,
    h("div", { class: "composer-row" }, box, picker, attach, send),
    note ? h("div", { class: "composer-note" }, note) : null);
  wrap.focus = () => box.focus();
  return wrap;
}
