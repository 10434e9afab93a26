// The page's calls to the workspace (POSTs carry X-Workspace: 1; see page.py).

export const BASE = "/workspace";

export class Refused extends Error {}

export async function get(path) {
  const r = await fetch(BASE + path, { cache: "no-store" });
  if (!r.ok) throw new Refused(`${r.status} ${path}`);
  return r.json();
}

export async function post(path, body) {
  const r = await fetch(BASE + path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Workspace": "1" },
    body: JSON.stringify(body ?? {}),
  });
  const answer = await r.json().catch(() => ({ ok: false, error: `HTTP ${r.status}` }));
  if (!answer.ok) throw new Refused(answer.error || `HTTP ${r.status}`);
  return answer;
}

export async function upload(file) {
  const form = new FormData();
  form.append("file", file, file.name);
  const r = await fetch(BASE + "/ui/files", { method: "POST", headers: { "X-Workspace": "1" }, body: form });
  const answer = await r.json().catch(() => ({ ok: false, error: `HTTP ${r.status}` }));
  if (!answer.ok) throw new Refused(answer.error || "upload failed");
  return answer.file;
}

export function fileUrl(file) {
  return `${BASE}/ui/files/${encodeURIComponent(file.id)}/${encodeURIComponent(file.name)}`;
}

let toastTimer = null;
export function toast(message) {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, 2500);
}
