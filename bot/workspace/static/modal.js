// Modals: the top view of the person's stack, drawn over the page. Typed values survive an
// update of the same view (same block_id and action_id, as in Slack); required fields and
// e-mail formats are checked before submitting, as Slack's client does; errors from the app
// show under their fields.

import { h, isEmpty, plainText, renderBlocks } from "./blockkit.js";
import { post, toast, upload } from "./net.js";

export class Modals {
  constructor(overlay, context) {
    this.overlay = overlay;
    this.context = context; // () => ({ fmt, channels, users, currentChannel, openLink })
    this.stack = [];
    this.shown = null; // { id, inputs }
  }

  read() {
    const values = {};
    for (const input of this.shown?.inputs || []) {
      const value = input.read();
      (values[input.block.block_id] ||= {})[input.element.action_id] = value;
    }
    return values;
  }

  render(stack) {
    const previous = this.shown;
    const kept = previous ? this.read() : {};
    this.stack = stack || [];
    const view = this.stack[this.stack.length - 1];
    if (!view) {
      this.overlay.hidden = true;
      this.overlay.replaceChildren();
      this.shown = null;
      return;
    }
    const inputs = [];
    const same = previous && previous.id === view.id;
    const errors = view.errors || {};
    const ctx = {
      ...this.context(),
      surface: "modal",
      inputs,
      errors,
      kept: same ? kept : {},
      upload,
      act: (block, element, chosen) => this.act(view, block, element, chosen),
    };
    const body = h("div", { class: "modal-body" },
      errors[""] ? h("div", { class: "modal-trouble", role: "alert" }, errors[""]) : null,
      renderBlocks(view.blocks, ctx));
    const closeText = plainText(view.close) || "Cancel";
    const footer = h("div", { class: "modal-footer" },
      h("button", { type: "button", class: "bk-button", onclick: () => this.close(view, false) }, closeText),
      view.submit ? h("button", { type: "button", class: "bk-button bk-button-primary modal-submit", onclick: (e) => this.submit(view, e.target) }, plainText(view.submit)) : null);
    const back = this.stack.length > 1
      ? h("button", { type: "button", class: "modal-back", "aria-label": "Back", onclick: () => this.close(view, false) }, "‹")
      : null;
    const dialog = h("div", { class: "modal", role: "dialog", "aria-modal": "true", "aria-label": plainText(view.title), dataset: { viewId: view.id, callbackId: view.callback_id || "" } },
      h("div", { class: "modal-header" }, back,
        h("div", { class: "modal-title" }, plainText(view.title)),
        h("button", { type: "button", class: "modal-x", "aria-label": "Close", onclick: () => this.close(view, true) }, "✕")),
      body, footer);
    const scroll = same ? this.overlay.querySelector(".modal-body")?.scrollTop : 0;
    this.overlay.replaceChildren(dialog);
    this.overlay.hidden = false;
    this.shown = { id: view.id, inputs };
    if (scroll) body.scrollTop = scroll;
    const firstError = body.querySelector(".has-error");
    if (firstError && !same) firstError.scrollIntoView({ block: "center" });
    else if (firstError && Object.keys(errors).length) firstError.scrollIntoView({ block: "nearest" });
  }

  async submit(view, button) {
    let problems = 0;
    const values = {};
    for (const input of this.shown.inputs) {
      const value = input.read();
      let problem = null;
      if (!input.optional && isEmpty(value)) problem = "Please complete this required field.";
      else if (input.check) problem = input.check();
      input.showError?.(problem);
      if (problem) problems += 1;
      const { _files, ...kept } = value;
      (values[input.block.block_id] ||= {})[input.element.action_id] = kept;
    }
    if (problems) {
      this.overlay.querySelector(".has-error")?.scrollIntoView({ block: "center" });
      return;
    }
    button.disabled = true;
    button.classList.add("busy");
    try {
      await post("/ui/view/submit", { view_id: view.id, values });
    } catch (error) {
      toast(error.message);
    } finally {
      button.disabled = false;
      button.classList.remove("busy");
    }
  }

  // Close the whole stack (a link in it took the person elsewhere on the page).
  dismiss() {
    const view = this.stack[this.stack.length - 1];
    if (view) this.close(view, true);
  }

  async close(view, everything) {
    try {
      await post("/ui/view/close", { view_id: view.id, everything });
    } catch (error) {
      toast(error.message);
    }
  }

  async act(view, block, element, chosen) {
    try {
      await post("/ui/action", { where: { view_id: view.id, values: this.read() }, block_id: block.block_id || "", action_id: element.action_id, chosen });
    } catch (error) {
      toast(error.message);
    }
  }
}
