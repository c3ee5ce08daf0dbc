import { render } from 'preact';
import { browserApi } from '../../lib/browser-api.js';
import { Options } from '../../ui/options/options.js';
import '../../ui/style.css';

const root = document.getElementById('app');
if (root) render(<Options api={browserApi} />, root);
