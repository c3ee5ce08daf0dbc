/** The labels of the exception-procedure form (PDF) in French. */
import type { Texts } from '../../../../shared/text/format.js';
import type { RequestFormKey } from './index.js';

export const fr: Texts<RequestFormKey> = {
  title: 'Désignation d’un Gestionnaire d’accès principal – procédure d’exception',
  ticket: 'Numéro de ticket',
  intro: 'Ce document doit être signé par un représentant légal de l’entreprise, tel que connu dans la Banque-Carrefour des Entreprises.',
  enterprise: 'Entreprise',
  enterpriseNumber: 'Numéro d’entreprise',
  address: 'Adresse',
  enterpriseEmail: 'Adresse e-mail du Gestionnaire d’accès principal (pour toute communication)',
  requester: 'Représentant légal (demandeur)',
  htb: 'Gestionnaire d’accès principal',
  htbIsRequester: 'Le demandeur se désigne lui-même comme Gestionnaire d’accès principal.',
  nationalNumber: 'Numéro de registre national',
  name: 'Nom',
  email: 'Adresse e-mail',
  phone: 'Numéro de téléphone',
  statement: 'Je confirme que ces données sont correctes et complètes.',
  signature: 'Nom, date et signature du représentant légal',
  returnTo: 'Renvoyez ce document signé en mentionnant toujours le numéro de ticket.',
};
