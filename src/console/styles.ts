/**
 * The element's styles, adopted into its shadow root as a constructed stylesheet (no `<style>`
 * element, so the page's CSP needs no 'unsafe-inline'). Light and dark from prefers-color-scheme;
 * every text colour pair meets WCAG AA; tables become cards below 720 px.
 */
export const CONSOLE_STYLES = `
:host{--bg:#fff;--fg:#18181b;--muted:#52525b;--line:#d4d4d8;--field:#71717a;--panel:#f4f4f5;--accent:#1d4ed8;--on-accent:#fff;--danger:#b91c1c;--on-danger:#fff;--focus:#1d4ed8;--warn-bg:#fef3c7;--warn-fg:#78350f;
display:block;color:var(--fg);background:var(--bg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color-scheme:light}
@media (prefers-color-scheme:dark){:host{--bg:#111827;--fg:#f4f4f5;--muted:#a1a1aa;--line:#374151;--field:#9ca3af;--panel:#1f2937;--accent:#60a5fa;--on-accent:#0b1020;--danger:#f87171;--on-danger:#0b1020;--focus:#93c5fd;--warn-bg:#422006;--warn-fg:#fde68a;color-scheme:dark}}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.wrap{max-width:1280px;margin:0 auto;padding:16px}
h1{font-size:1.6rem;margin:0}
h2{font-size:1.25rem;margin:0 0 12px}
h1:focus{outline:none}
.muted,.hint{color:var(--muted)}
.hint{font-size:.85rem;margin:4px 0 0}
.top{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-end;justify-content:space-between;margin-bottom:16px}
.top p{margin:4px 0 0}
.actions,.toolbar,.inline{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:flex-end}
.toolbar{justify-content:space-between;margin-bottom:8px}
.inline .field{margin:0}
.field{display:flex;flex-direction:column;gap:4px;margin:0 0 12px}
label{font-weight:600}
.check{display:flex;gap:8px;align-items:center;font-weight:400;padding:4px 0;min-height:32px}
input,select,textarea{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--field);border-radius:6px;padding:6px 10px;min-height:36px;max-width:100%}
input[type=checkbox],input[type=radio]{width:18px;height:18px;min-height:0;margin:0;accent-color:var(--accent)}
textarea{resize:vertical;width:100%}
fieldset{border:1px solid var(--line);border-radius:8px;padding:8px 12px 4px;margin:0 0 12px;min-width:0}
legend{font-weight:600;padding:0 4px}
.checklist{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:0 12px}
.btn{font:inherit;font-weight:600;color:var(--fg);background:var(--panel);border:1px solid var(--field);border-radius:6px;padding:6px 14px;min-height:36px;cursor:pointer}
.btn:hover{border-color:var(--fg)}
.btn.primary{background:var(--accent);color:var(--on-accent);border-color:var(--accent)}
.btn.danger{background:var(--danger);color:var(--on-danger);border-color:var(--danger)}
.btn.danger-outline{color:var(--danger);border-color:var(--danger);background:var(--bg)}
.btn:disabled{opacity:.55;cursor:not-allowed}
.btn.small{padding:2px 10px;min-height:30px;font-size:.9rem}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.status{min-height:1.5em;margin:4px 0;color:var(--muted)}
.alert{color:var(--danger);font-weight:600;margin:4px 0}
.alert:empty,.status:empty{display:none}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;vertical-align:top;padding:10px 8px;border-bottom:1px solid var(--line)}
thead th{font-size:.85rem;color:var(--muted);border-bottom:2px solid var(--line)}
tbody th{font-weight:600;word-break:break-word;min-width:8rem}
td time{white-space:nowrap}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem;word-break:break-all}
.chips{display:flex;flex-wrap:wrap;gap:4px}
.chip{border:1px solid var(--line);border-radius:999px;padding:0 8px;font-size:.8rem;white-space:nowrap}
.chip-strong{font-weight:700}
.chip-role{border-style:dashed}
.badge{display:inline-block;border-radius:999px;padding:0 10px;font-size:.8rem;font-weight:700;text-transform:capitalize}
.badge-active{background:#d1fae5;color:#065f46}
.badge-paused{background:#fef3c7;color:#92400e}
.badge-expired{background:#e5e7eb;color:#374151}
.badge-revoked{background:#fee2e2;color:#991b1b}
.row-actions{display:flex;flex-wrap:wrap;gap:6px}
.empty{padding:24px;text-align:center;color:var(--muted);border:1px dashed var(--line);border-radius:8px}
.pager{display:flex;gap:12px;align-items:center;justify-content:flex-end;margin-top:12px}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.dialog{color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:10px;padding:20px;width:min(640px,calc(100vw - 24px));max-height:calc(100vh - 24px);overflow:auto}
.dialog::backdrop{background:rgba(0,0,0,.55)}
.dialog-actions{display:flex;flex-wrap:wrap;gap:8px;justify-content:flex-end;margin-top:12px}
.warning{background:var(--warn-bg);color:var(--warn-fg);border-radius:8px;padding:10px 12px}
.token{width:100%;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9rem}
@media (max-width:720px){
.wrap{padding:12px}
thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
table,tbody,tr,th,td{display:block}
tr{border:1px solid var(--line);border-radius:8px;margin-bottom:12px;padding:4px 0}
th,td{border:0;padding:4px 12px}
tbody th{font-size:1.05rem}
td[data-label]::before{content:attr(data-label);display:block;font-size:.75rem;font-weight:600;color:var(--muted)}
.toolbar{flex-direction:column;align-items:stretch}
}
`;
