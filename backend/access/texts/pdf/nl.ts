/** The labels of the exception-procedure form (PDF) in Dutch. */
import type { Texts } from '../../../../shared/text/format.js';
import type { RequestFormKey } from './index.js';

export const nl: Texts<RequestFormKey> = {
  title: 'Aanstelling van een Hoofdtoegangsbeheerder – uitzonderingsprocedure',
  ticket: 'Ticketnummer',
  intro: 'Dit document moet getekend worden door een wettelijk vertegenwoordiger van de onderneming, zoals bekend in de Kruispuntbank van Ondernemingen.',
  enterprise: 'Onderneming',
  enterpriseNumber: 'Ondernemingsnummer',
  address: 'Adres',
  enterpriseEmail: 'E-mailadres van de Hoofdtoegangsbeheerder (voor alle communicatie)',
  requester: 'Wettelijk vertegenwoordiger (aanvrager)',
  htb: 'Hoofdtoegangsbeheerder (HTB)',
  htbIsRequester: 'De aanvrager duidt zichzelf aan als Hoofdtoegangsbeheerder.',
  nationalNumber: 'Rijksregisternummer',
  name: 'Naam',
  email: 'E-mailadres',
  phone: 'Telefoonnummer',
  statement: 'Ik bevestig dat deze gegevens correct en volledig zijn.',
  signature: 'Naam, datum en handtekening van de wettelijk vertegenwoordiger',
  returnTo: 'Stuur dit document getekend terug en vermeld steeds het ticketnummer.',
};
