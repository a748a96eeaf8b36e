/** The console's only stylesheet and script, served from the app itself (the CSP allows 'self' only). */
export const CSS = `
:root{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--accent:#0969da;--ok:#1a7f37;--bad:#cf222e;--wait:#9a6700;--run:#8250df}
*{box-sizing:border-box}body{margin:0;font:14px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}
header{background:#24292f;color:#fff;display:flex;align-items:center;gap:24px;padding:0 24px;height:56px}
header .brand{font-weight:600;font-size:16px;letter-spacing:.2px}header .brand span{color:#7ee787}
header nav a{color:#d0d7de;text-decoration:none;margin-right:16px;padding:17px 0;display:inline-block;border-bottom:2px solid transparent}
header nav a.on{color:#fff;border-bottom-color:#fd8c73}header .me{margin-left:auto;display:flex;gap:12px;align-items:center;color:#d0d7de}
header form{margin:0}header button{background:transparent;border:1px solid #57606a;color:#fff;border-radius:6px;padding:3px 10px;cursor:pointer}
main{max-width:1180px;margin:24px auto;padding:0 24px}h1{font-size:22px;margin:0 0 4px}p.lead{color:var(--muted);margin:0 0 18px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;margin-bottom:18px;overflow:hidden}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:9px 12px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#f6f8fa;font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.4px}tr:last-child td{border-bottom:0}
.pill{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600;border:1px solid}
.s-succeeded,.s-open{color:var(--ok);border-color:#4ac26b;background:#dafbe1}.s-failed,.s-closed,.s-timed_out,.s-blocked{color:var(--bad);border-color:#ff8182;background:#ffebe9}
.s-awaiting_approval,.s-pending,.s-waiting,.s-awaiting_start,.s-queued{color:var(--wait);border-color:#d4a72c;background:#fff8c5}
.s-planning,.s-applying{color:var(--run);border-color:#c297ff;background:#fbefff}.s-cancelled,.s-superseded{color:var(--muted);border-color:var(--line);background:#f6f8fa}
.muted{color:var(--muted)}.small{font-size:12px}code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#eff2f5;padding:1px 5px;border-radius:4px}
form.filters{display:flex;gap:10px;align-items:end;padding:12px;flex-wrap:wrap}label{font-size:12px;color:var(--muted);display:flex;flex-direction:column;gap:3px}
input,select{font:inherit;padding:5px 8px;border:1px solid var(--line);border-radius:6px;background:#fff}
button.act{font:inherit;font-weight:600;border-radius:6px;padding:4px 12px;border:1px solid rgba(31,35,40,.15);cursor:pointer;background:#f6f8fa}
button.primary{background:#1f883d;color:#fff}button.danger{color:var(--bad)}form.inline{display:inline-flex;gap:6px;margin:0}
.notice{padding:10px 14px;border-radius:6px;margin-bottom:16px;border:1px solid}.notice.ok{background:#dafbe1;border-color:#4ac26b}.notice.bad{background:#ffebe9;border-color:#ff8182}
.empty{padding:28px;text-align:center;color:var(--muted)}a{color:var(--accent)}.graph{padding:12px;background:#fff}
.signin{max-width:480px;margin:80px auto;text-align:center;padding:32px}.signin a.btn{display:inline-block;background:#1f883d;color:#fff;padding:9px 18px;border-radius:6px;text-decoration:none;font-weight:600}
table.kv th{width:180px;border-bottom:0}
pre.sticky{white-space:pre-wrap;font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;margin:0;max-height:640px;overflow:auto}
.bar{display:inline-block;height:10px;background:#0969da;border-radius:2px;vertical-align:middle}
`;

/** Live updates without a reload: fetch the page's main part every few seconds and swap it when it changed. */
export const JS = `
(function(){var main=document.querySelector("main[data-live]");if(!main)return;
setInterval(function(){if(document.activeElement&&main.contains(document.activeElement)&&document.activeElement.tagName!=="BODY")return;
fetch(location.href,{headers:{"x-flowgate-partial":"1"},credentials:"same-origin"}).then(function(r){return r.ok?r.text():null})
.then(function(t){if(t!==null&&t!==main.innerHTML)main.innerHTML=t}).catch(function(){})},4000)})();
`;
