/**
 * The send rules (KMDF3023…): what a request needs before and after `WdfRequestSend` — finished
 * when the send fails, formatted unless it is sent and forgotten, not formatted for a target when
 * it is, a time-out when it is sent synchronously, a completion routine when it is sent asynchronously. Each rule lives in its own file in this folder;
 * registry.ts adds this list. The send under a spin lock is a lock rule (locks/, KMDF3020).
 */
import type { Rule } from '../types';
import { requestSentUnformatted } from './requestSentUnformatted';
import { sendAndForgetFormatted } from './sendAndForgetFormatted';
import { sendFailureUnhandled } from './sendFailureUnhandled';
import { sendWithoutCompletionRoutine } from './sendWithoutCompletionRoutine';
import { synchronousSendWithoutTimeout } from './synchronousSendWithoutTimeout';

export const sendRules: Rule[] = [
  sendFailureUnhandled,
  requestSentUnformatted,
  sendAndForgetFormatted,
  synchronousSendWithoutTimeout,
  sendWithoutCompletionRoutine,
];
