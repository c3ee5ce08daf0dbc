import { render } from 'preact';
import { browserApi } from '../../lib/browser-api.js';
import { DIALOG_PORT_PREFIX, type DialogMessage } from '../../lib/messages.js';
import { Dialog } from '../../lib/ui/dialog.js';
import '../../lib/ui/style.css';

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
