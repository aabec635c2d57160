/**
 * KMDF3010: WdfDmaTransactionCancel in a driver that never asks for DMA version 3
 * (WDF_DMA_ENABLER_CONFIG.WdmDmaVersionOverride = 3).
 */
import type { QuickFix, Rule, RuleContext } from '../types';
import { lineIndexOf } from '../../syntax/positions';
import { rulePagePath } from '../help';
import { allDocuments, bareArgument } from '../facts/driverGraph';

const METHOD = 'WdfDmaTransactionCancel';
const VERSION_FIELD = 'WdmDmaVersionOverride';

export const dmaCancelWithoutDmaV3: Rule = {
  meta: {
    id: 'KMDF3010',
    name: 'dma-cancel-without-dma-v3',
    title: 'WdfDmaTransactionCancel without DMA version 3',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfDmaTransactionCancel',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdmatransaction/nf-wdfdmatransaction-wdfdmatransactioncancel',
      },
      {
        title: 'WDF_DMA_ENABLER_CONFIG',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdmaenabler/ns-wdfdmaenabler-_wdf_dma_enabler_config',
      },
    ],
    certainty:
      'Possible: no DMA enabler config of the driver sets WdmDmaVersionOverride to anything but 0; any other value, a variable included, keeps it silent.',
    helpPage: rulePagePath('KMDF3010'),
  },
  check(ctx) {
    const calls = ctx.document.functions.flatMap((fn) =>
      fn.calls.filter((c) => c.callee === METHOD).map((call) => ({ fn, call })),
    );
    if (!calls.length) return;
    // Any version override other than a literal 0 may well be 3: stay silent.
    const overrides = allDocuments(ctx).flatMap((d) =>
      d.functions.flatMap((f) => f.assignments.filter((a) => a.field === VERSION_FIELD)),
    );
    if (overrides.some((a) => bareArgument(a.value) !== '0')) return;
    const fix = versionFix(ctx);
    for (const { fn, call } of calls) {
      ctx.report({
        message:
          `${fn.name} calls ${METHOD}, which works only on transactions of a DMA version 3 enabler, but no DMA enabler config of this ` +
          `driver sets ${VERSION_FIELD} to 3. On a version 2 enabler the call fails (returns FALSE) and the verifier reports it.`,
        span: call.span,
        function: fn.name,
        fixes: fix ? [fix] : undefined,
      });
    }
  },
};

/** Insert `cfg.WdmDmaVersionOverride = 3;` after each WDF_DMA_ENABLER_CONFIG_INIT statement of this document. */
function versionFix(ctx: RuleContext): QuickFix | undefined {
  const lines = lineIndexOf(ctx.text);
  const edits = [];
  for (const fn of ctx.document.functions) {
    for (const call of fn.calls) {
      if (call.callee !== 'WDF_DMA_ENABLER_CONFIG_INIT' || !call.args[0]) continue;
      const written = call.args[0].text.trim();
      const config = bareArgument(written);
      if (!/^[A-Za-z_]\w*$/.test(config)) continue;
      const access = written.startsWith('&') ? `${config}.` : `${config}->`;
      const semicolon = /^\s*;/.exec(ctx.text.slice(call.span.endOffset));
      if (!semicolon) continue;
      const at = call.span.endOffset + semicolon[0].length;
      const lineText = ctx.text.slice(lines.lineStart(call.span.start.line), call.span.startOffset);
      const indent = /^[ \t]*/.exec(lineText)![0];
      const eol = ctx.text.includes('\r\n') ? '\r\n' : '\n';
      edits.push({
        uri: ctx.document.uri,
        span: lines.span(at, at),
        newText: `${eol}${indent}${access}${VERSION_FIELD} = 3;`,
      });
    }
  }
  return edits.length ? { title: `Request DMA version 3 (${VERSION_FIELD} = 3)`, edits, preferred: true } : undefined;
}
