/**
 * KMDF3009: WdfDmaTransactionStopSystemTransfer in a driver whose DMA enablers all use bus-master
 * profiles (the method is for system-mode DMA only), or with a KMDF target older than the method.
 */
import type { Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { allDocuments, bareArgument, compareVersions } from '../facts/driverGraph';

const METHOD = 'WdfDmaTransactionStopSystemTransfer';
/** The method's KMDF version when the index does not know it (the header's first version). */
const FALLBACK_KMDF = '1.11';

export const dmaStopSystemTransferMisuse: Rule = {
  meta: {
    id: 'KMDF3009',
    name: 'dma-stop-system-transfer-misuse',
    title: 'WdfDmaTransactionStopSystemTransfer without system-mode DMA, or before KMDF 1.11',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfDmaTransactionStopSystemTransfer',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdmatransaction/nf-wdfdmatransaction-wdfdmatransactionstopsystemtransfer',
      },
      {
        title: 'WDF_DMA_PROFILE',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdmaenabler/ne-wdfdmaenabler-_wdf_dma_profile',
      },
    ],
    certainty:
      'Certain: the target KMDF version is older than the method, or every DMA profile the driver gives is a literal bus-master profile. A profile held in a variable keeps it silent.',
    helpPage: rulePagePath('KMDF3009'),
  },
  check(ctx) {
    const calls = ctx.document.functions.flatMap((fn) =>
      fn.calls.filter((c) => c.callee === METHOD).map((call) => ({ fn, call })),
    );
    if (!calls.length) return;
    const entry = ctx.index.get(METHOD);
    const required = entry?.kmdf ?? FALLBACK_KMDF;
    const tooOld = ctx.target.framework === 'KMDF' && compareVersions(ctx.target.kmdfVersion, required) === -1;
    const profiles = dmaProfiles(ctx);
    const busMasterOnly =
      profiles.length > 0 && profiles.every((p) => isKnownProfile(p.profile) && !isSystemProfile(p.profile));
    for (const { fn, call } of calls) {
      if (tooOld) {
        ctx.report({
          message: `${METHOD} needs KMDF ${required}, but this driver targets KMDF ${ctx.target.kmdfVersion} (${ctx.target.source}).`,
          span: call.calleeSpan,
          function: fn.name,
        });
      }
      if (busMasterOnly) {
        ctx.report({
          message:
            `${fn.name} calls ${METHOD}, which only system-mode DMA drivers may use, but every DMA enabler of this driver uses a ` +
            `bus-master profile (${[...new Set(profiles.map((p) => p.profile))].join(', ')}). A bus-master driver stops a transfer by ` +
            `programming its own DMA controller.`,
          span: call.span,
          function: fn.name,
          related: profiles
            .slice(0, 3)
            .map((p) => ({ uri: p.uri, span: p.span, message: `DMA enabler profile ${p.profile}` })),
        });
      }
    }
  },
};

/** The DMA profiles the driver gives its enabler configs (WDF_DMA_ENABLER_CONFIG_INIT argument, or a Profile assignment). */
export function dmaProfiles(
  ctx: RuleContext,
): { uri: string; profile: string; span: import('../../analysis/model').Span }[] {
  const out: { uri: string; profile: string; span: import('../../analysis/model').Span }[] = [];
  for (const doc of allDocuments(ctx)) {
    for (const fn of doc.functions) {
      for (const call of fn.calls) {
        if (call.callee === 'WDF_DMA_ENABLER_CONFIG_INIT' && call.args[1])
          out.push({ uri: doc.uri, profile: bareArgument(call.args[1].text), span: call.args[1].span });
      }
      for (const a of fn.assignments) {
        if (a.field === 'Profile' && /^WdfDmaProfile/.test(bareArgument(a.value)))
          out.push({ uri: doc.uri, profile: bareArgument(a.value), span: a.valueSpan });
      }
    }
  }
  return out;
}

/** A literal WDF_DMA_PROFILE member (a variable or macro could be anything). */
function isKnownProfile(profile: string): boolean {
  return /^WdfDmaProfile(Packet|Packet64|ScatterGather|ScatterGather64|ScatterGatherDuplex|ScatterGather64Duplex|System|SystemDuplex)$/.test(
    profile,
  );
}

function isSystemProfile(profile: string): boolean {
  return /^WdfDmaProfileSystem/.test(profile);
}
