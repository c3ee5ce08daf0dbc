/** The access-management e-mails and change-log lines in French. */
import type { Texts } from '../../../../shared/text/format.js';
import type { AccessMailKey } from './index.js';

export const fr: Texts<AccessMailKey> = {
  mailHtbSubject: 'Votre entreprise est enregistrée dans la Gestion des gestionnaires d’accès',
  mailHtbBody:
    'Bonjour,\n\nVotre entreprise, {enterprise} ({number}), est maintenant activée. {htb} a été désigné(e) Gestionnaire d’accès principal (GAP) par {by}.\n\nLe Gestionnaire d’accès principal peut désigner des co-Gestionnaires d’accès principaux et des Gestionnaires d’accès par domaine sur {link}.\n\nCette adresse e-mail sert à toute communication sur la gestion des accès de votre entreprise.',
  mailChangeSubject: 'Gestion des accès de {enterprise} : modification',
  mailChangeBody: 'Bonjour,\n\nLe {date}, {actor} a modifié la gestion des accès de {enterprise} ({number}) :\n{change}\n\nVous ne reconnaissez pas cette modification ? Contactez votre Gestionnaire d’accès principal.',
  mailRequestSubject: 'Votre demande {ticket} : Gestionnaire d’accès principal',
  mailRequestBody: 'Bonjour,\n\nVotre demande a été enregistrée sous le numéro de ticket {ticket}. Imprimez le document PDF, faites-le signer par un représentant légal et renvoyez-le.',
  mailRejectedSubject: 'Votre demande {ticket} a été refusée',
  mailRejectedBody: 'Bonjour,\n\nVotre demande {ticket} de désignation d’un Gestionnaire d’accès principal pour {enterprise} a été refusée : {reason}',
  'change:htb-appointed': 'Gestionnaire d’accès principal désigné : {name}',
  'change:co-htb-added': 'co-Gestionnaire d’accès principal ajouté : {name}',
  'change:co-htb-removed': 'co-Gestionnaire d’accès principal supprimé : {name}',
  'change:tb-added': 'Gestionnaire d’accès ajouté pour {domain} : {name}',
  'change:tb-removed': 'Gestionnaire d’accès supprimé pour {domain} : {name}',
  'change:email-changed': 'Adresse e-mail de contact modifiée : {email}',
  'change:domain-contact-set': 'Adresse e-mail de contact pour {domain} : {email}',
  'change:domain-contact-removed': 'Adresse e-mail de contact pour {domain} supprimée',
  mailMandateExtensionSubject: 'Mandat {type} : une durée plus longue attend votre accord',
  mailMandateExtensionBody:
    'Bonjour,\n\n{by} propose de prolonger le mandat « {type} » de {giver} à {holder} jusqu’au {endDate}. La date de fin actuelle reste valable tant que votre côté n’a pas donné son accord.\n\nDonnez votre accord en le prolongeant jusqu’à la même date, ou arrêtez le mandat, sur {link}.\n\nVous ne reconnaissez pas cette proposition ? Ne faites rien : sans votre accord, le mandat se termine comme prévu.',
  mandateNoEnd: 'sans date de fin',
  confirmText: 'Oui, je confirme',
};
