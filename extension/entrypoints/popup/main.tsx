import { render } from 'preact';
import { browserApi } from '../../lib/browser-api.js';
import { PopupApp, type PopupTab } from '../../ui/popup/popup-app.js';
import '../../ui/style.css';
import '../../ui/popup/popup.css';

// ?tab=help opens the diagnostics directly (a link from the card dialog or the options page can use it).
const requested = new URLSearchParams(window.location.search).get('tab');
const initialTab: PopupTab | undefined = requested === 'help' || requested === 'keys' || requested === 'status' ? requested : undefined;

const root = document.getElementById('app');
if (root) {
  render(
    <PopupApp
      api={browserApi}
      copy={(text) => navigator.clipboard.writeText(text)}
      userAgent={navigator.userAgent}
      {...(initialTab ? { initialTab } : {})}
    />,
    root,
  );
}
