/**
 * KMDF3038: a call of one of the pool allocators Windows 10, version 2004 deprecated
 * (SDV UnSafeAllocatePool, Code Analysis C28751): ExAllocatePool, ExAllocatePoolWithTag,
 * ExAllocatePoolWithQuota, ExAllocatePoolWithQuotaTag, ExAllocatePoolWithTagPriority. Their memory
 * is not zeroed. Information when the target's framework version only loads on Windows 10, version
 * 2004 or later (KMDF 1.31+), where ExAllocatePool2/ExAllocatePool3 always exist; a hint for older
 * targets, where the replacement is not there on every system the driver supports.
 */
import type { CallModel } from '../../analysis/model';
import type { QuickFix, Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { lookupTable } from '../../util/lookupTable';
import { checkedFunctions } from '../findingsReuse';

/** Each deprecated allocator and what replaces it (the SDV rule's table). */
const REPLACEMENT = lookupTable<string>({
  ExAllocatePool: 'ExAllocatePool2',
  ExAllocatePoolWithTag: 'ExAllocatePool2',
  ExAllocatePoolWithQuota: 'ExAllocatePool2',
  ExAllocatePoolWithQuotaTag: 'ExAllocatePool2',
  ExAllocatePoolWithTagPriority: 'ExAllocatePool3',
});

/** POOL_TYPE values written as such, and the POOL_FLAGS that ask ExAllocatePool2 for the same pool. */
const POOL_FLAGS = lookupTable<string>({
  NonPagedPoolNx: 'POOL_FLAG_NON_PAGED',
  PagedPool: 'POOL_FLAG_PAGED',
  NonPagedPool: 'POOL_FLAG_NON_PAGED_EXECUTE',
});

/** The first KMDF version that loads only on Windows 10, version 2004 and later (KMDF version history). */
const KMDF_2004 = [1, 31];

export const deprecatedPoolAllocation: Rule = {
  meta: {
    id: 'KMDF3038',
    name: 'deprecated-pool-allocation',
    title: 'Deprecated pool allocator (ExAllocatePool, ExAllocatePoolWithTag, …)',
    defaultSeverity: 'info',
    documentation: [
      {
        title: 'Updating deprecated ExAllocatePool calls to ExAllocatePool2 and ExAllocatePool3',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/kernel/updating-deprecated-exallocatepool-calls',
      },
      { title: 'SDV rule UnSafeAllocatePool' },
      { title: 'Code Analysis C28751' },
    ],
    mirrors: { sdv: ['UnSafeAllocatePool'], codeAnalysis: [28751] },
    certainty:
      'Certain: the call names one of the five deprecated allocators. Information when the target framework version runs only on Windows 10, version 2004 and later, where the replacement always exists; a hint for older targets.',
    helpPage: rulePagePath('KMDF3038'),
  },
  perFunction: true,
  check(ctx) {
    if (ctx.target.framework !== 'KMDF') return;
    const current = replacementAlwaysThere(ctx);
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.body) continue;
      for (const call of fn.calls) {
        const replacement = REPLACEMENT[call.callee];
        if (!replacement) continue;
        const version = ctx.target.kmdfVersion ?? 'this version';
        ctx.report({
          severity: current ? undefined : 'hint',
          message:
            `${call.callee} is deprecated: the memory it returns is not zeroed, so a field the driver forgets to set ` +
            `carries whatever the pool held before (old kernel data that may reach user mode). ` +
            (current
              ? `The driver targets KMDF ${version}, which runs on Windows 10, version 2004 and later only, where ` +
                `${replacement} is always available and zeroes the allocation: use it instead.`
              : `${replacement}, which zeroes the allocation, exists from Windows 10, version 2004; the driver targets ` +
                `KMDF ${version}, which also loads on older systems, so move to it when the driver's minimum does.`),
          span: call.calleeSpan,
          function: fn.name,
          fixes: current ? replaceFix(ctx, call) : undefined,
        });
      }
    }
  },
};

/** Whether the target's framework version runs only on systems that have ExAllocatePool2. */
function replacementAlwaysThere(ctx: RuleContext): boolean {
  const version = ctx.target.kmdfVersion;
  if (!version || ctx.target.defaulted) return false;
  const [major, minor] = version.split('.').map(Number);
  return major > KMDF_2004[0] || (major === KMDF_2004[0] && minor >= KMDF_2004[1]);
}

/**
 * `ExAllocatePoolWithTag(PagedPool, size, tag)` → `ExAllocatePool2(POOL_FLAG_PAGED, size, tag)`, when
 * the pool type is written as one of the plain POOL_TYPE values. Other allocators differ in more than
 * the name (a tag to invent, quota failures that raise, a priority that moves into extended parameters).
 */
function replaceFix(ctx: RuleContext, call: CallModel): QuickFix[] | undefined {
  if (call.callee !== 'ExAllocatePoolWithTag' || call.args.length !== 3) return undefined;
  const flags = POOL_FLAGS[call.args[0].text.trim()];
  const written = ctx.text.slice(call.calleeSpan.startOffset, call.calleeSpan.endOffset);
  if (!flags || written !== call.callee) return undefined;
  return [
    {
      title: `Use ExAllocatePool2(${flags}, …)`,
      preferred: true,
      edits: [
        { uri: ctx.document.uri, span: call.calleeSpan, newText: 'ExAllocatePool2' },
        { uri: ctx.document.uri, span: call.args[0].span, newText: flags },
      ],
    },
  ];
}
