import { render } from 'preact';
import { browserApi } from '../../lib/browser-api.js';
import { DIALOG_PORT_PREFIX, type DialogMessage } from '../../lib/messages.js';
import { Dialog } from '../../ui/dialog/dialog.js';
import '../../ui/style.css';

const KEEPALIVE_INTERVAL_MS = 10_000;
const session = new URLSearchParams(window.location.search).get('session') ?? '';
const port = browserApi.connectRuntime(`${DIALOG_PORT_PREFIX}${session}`);
const root = document.getElementById('app');

port.onMessage.addListener((message) => {
  const m = message as DialogMessage;
  if (m.type === 'close') {
    window.close();
    return;
  }
  if (m.type === 'state' && root) {
    render(<Dialog state={m.state} send={(action) => port.postMessage(action)} close={() => window.close()} />, root);
  }
});
port.onDisconnect.addListener(() => window.close());

// Firefox suspends an MV3 event page after about 30 s without activity, open
// native port or not; a message on this port is activity, so a person may take
// their time over the PIN. (Chrome also resets its service-worker idle timer on it.)
setInterval(() => {
  try {
    port.postMessage({ type: 'keepalive' });
  } catch {
    // the background is gone; onDisconnect closes the window
  }
}, KEEPALIVE_INTERVAL_MS);
