/** Mails a new ticket to the postmaster through an SMTP server (nodemailer). */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Ticket } from '../types';
import { NotifyError, type Notifier } from './types';
import { ticketSubject, ticketText } from './summary';

export interface EmailOptions {
  /** smtp://user:pass@host:port or smtps://… */
  smtpUrl: string;
  to: string;
  from: string;
}

export class EmailNotifier implements Notifier {
  readonly channel = 'email';
  private readonly transport: Transporter;

  constructor(private readonly options: EmailOptions) {
    this.transport = nodemailer.createTransport(options.smtpUrl);
  }

  async send(ticket: Ticket): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.options.from,
        to: this.options.to,
        subject: ticketSubject(ticket),
        text: ticketText(ticket),
        headers: { 'X-Helpdesk-Ticket': ticket.id },
      });
    } catch (err) {
      // An SMTP error names the server's reply; nodemailer keeps credentials out of its messages.
      const e = err as { code?: unknown; responseCode?: unknown; message?: unknown };
      const detail = typeof e.responseCode === 'number' ? `SMTP ${e.responseCode}` : typeof e.code === 'string' ? e.code : 'error';
      throw new NotifyError(`email not sent (${detail})`);
    }
  }

  close(): void {
    this.transport.close();
  }
}
