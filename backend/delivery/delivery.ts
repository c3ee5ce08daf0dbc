/**
 * Sends e-mail and SMS: e-mail over SMTP (nodemailer, EID_BRIDGE_SMTP_URL),
 * SMS through a small HTTP gateway (EID_BRIDGE_SMS_GATEWAY_URL: POST JSON
 * {to, text}). Only in development mode (EID_BRIDGE_DEV_MODE) may a channel
 * be left unconfigured: its messages then go to the local outbox, which only
 * staff can read. Outside development mode both channels must be configured.
 */
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { DataStore } from '../db/store.js';
import type { Clock } from '../clock.js';
import { ENV, type BackendConfig } from '../config.js';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface SmsMessage {
  to: string;
  text: string;
}

export interface Delivery {
  sendEmail(message: EmailMessage): Promise<void>;
  sendSms(message: SmsMessage): Promise<void>;
  /** True when at least one channel goes to the local outbox. */
  readonly usesOutbox: boolean;
  close(): void;
}

export interface DeliveryOptions {
  smtpUrl?: string;
  mailFrom: string;
  smsGatewayUrl?: string;
  store: DataStore;
  clock: Clock;
}

/**
 * Why the backend must not start with these delivery settings, or undefined.
 * Outside development mode a code must never land where someone else can read
 * it, so a missing channel (one or both) stops the start, naming what to set.
 */
export function deliveryConfigProblem(config: Pick<BackendConfig, 'smtpUrl' | 'smsGatewayUrl' | 'devMode'>): string | undefined {
  if (config.devMode) return undefined;
  const missing = [config.smtpUrl ? '' : `${ENV.smtpUrl} (e-mail)`, config.smsGatewayUrl ? '' : `${ENV.smsGatewayUrl} (SMS)`].filter(Boolean);
  if (!missing.length) return undefined;
  return `Security codes would not be delivered: set ${missing.join(' and ')}, or run in development mode (${ENV.devMode}=1 or --dev) to keep unsent messages in the local outbox`;
}

export function createDelivery(options: DeliveryOptions): Delivery {
  const transport: Transporter | undefined = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : undefined;
  const { store, clock } = options;
  return {
    usesOutbox: !options.smtpUrl || !options.smsGatewayUrl,
    async sendEmail(message) {
      if (!transport) {
        await store.addOutbox({ channel: 'email', recipient: message.to, subject: message.subject, body: message.text, createdAt: clock.now() });
        return;
      }
      await transport.sendMail({ from: options.mailFrom, to: message.to, subject: message.subject, text: message.text });
    },
    async sendSms(message) {
      if (!options.smsGatewayUrl) {
        await store.addOutbox({ channel: 'sms', recipient: message.to, subject: '', body: message.text, createdAt: clock.now() });
        return;
      }
      const response = await fetch(options.smsGatewayUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ to: message.to, text: message.text }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`The SMS gateway answered HTTP ${response.status}`);
    },
    close() {
      transport?.close();
    },
  };
}
