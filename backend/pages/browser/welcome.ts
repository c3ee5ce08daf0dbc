/** The demo service's "Afmelden" button, served as /assets/welcome.js. */
import { byId, callApi } from './page.js';

byId('logout').addEventListener('click', (event) => {
  const csrf = (event.currentTarget as HTMLElement).getAttribute('data-csrf') ?? '';
  void callApi('POST', '/api/logout', {}, { 'X-CSRF-Token': csrf }).then(() => location.assign('/demo'));
});
