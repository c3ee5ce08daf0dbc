/** Labels of the exception-procedure form (PDF) in nl, fr, de, en. */
import type { Language } from '../i18n/index.js';

export interface RequestFormTexts {
  title: string;
  ticket: string;
  intro: string;
  enterprise: string;
  enterpriseNumber: string;
  address: string;
  enterpriseEmail: string;
  requester: string;
  htb: string;
  htbIsRequester: string;
  nationalNumber: string;
  name: string;
  email: string;
  phone: string;
  statement: string;
  signature: string;
  returnTo: string;
}

export const REQUEST_FORM_TEXTS: Record<Language, RequestFormTexts> = {
  nl: {
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
  },
  fr: {
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
  },
  de: {
    title: 'Bestellung eines Hauptzugriffsverwalters – Ausnahmeverfahren',
    ticket: 'Ticketnummer',
    intro: 'Dieses Dokument muss von einem gesetzlichen Vertreter des Unternehmens unterschrieben werden, wie er in der Zentralen Datenbank der Unternehmen bekannt ist.',
    enterprise: 'Unternehmen',
    enterpriseNumber: 'Unternehmensnummer',
    address: 'Adresse',
    enterpriseEmail: 'E-Mail-Adresse des Hauptzugriffsverwalters (für alle Mitteilungen)',
    requester: 'Gesetzlicher Vertreter (Antragsteller)',
    htb: 'Hauptzugriffsverwalter',
    htbIsRequester: 'Der Antragsteller bestellt sich selbst als Hauptzugriffsverwalter.',
    nationalNumber: 'Nationalregisternummer',
    name: 'Name',
    email: 'E-Mail-Adresse',
    phone: 'Telefonnummer',
    statement: 'Ich bestätige, dass diese Angaben richtig und vollständig sind.',
    signature: 'Name, Datum und Unterschrift des gesetzlichen Vertreters',
    returnTo: 'Senden Sie dieses Dokument unterschrieben zurück und geben Sie immer die Ticketnummer an.',
  },
  en: {
    title: 'Appointment of a main access manager – exception procedure',
    ticket: 'Ticket number',
    intro: 'This document must be signed by a legal representative of the enterprise, as known in the Crossroads Bank for Enterprises.',
    enterprise: 'Enterprise',
    enterpriseNumber: 'Enterprise number',
    address: 'Address',
    enterpriseEmail: 'E-mail address of the main access manager (for all communication)',
    requester: 'Legal representative (applicant)',
    htb: 'Main access manager',
    htbIsRequester: 'The applicant appoints himself as main access manager.',
    nationalNumber: 'National number',
    name: 'Name',
    email: 'E-mail address',
    phone: 'Phone number',
    statement: 'I confirm that these data are correct and complete.',
    signature: 'Name, date and signature of the legal representative',
    returnTo: 'Send this document back signed and always mention the ticket number.',
  },
};
