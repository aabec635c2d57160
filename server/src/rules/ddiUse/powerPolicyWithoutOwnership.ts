/**
 * KMDF3034: power-policy setup for a device whose driver has given up power-policy ownership on the
 * same path (SDV FDOPowerPolicyOwnerAPI): after WdfDeviceInitSetPowerPolicyOwnership(init, FALSE), or
 * WdfFdoInitSetFilter(init) with no ownership taken back, the power-policy event callbacks set on
 * that init are never called, and WdfDeviceAssignS0IdleSettings / WdfDeviceAssignSxWakeSettings on
 * the device created from it fail with STATUS_INVALID_DEVICE_REQUEST.
 */
import { walkPaths, type FlowSite } from '../../analysis/paths';
import type { CallModel, FunctionModel } from '../../analysis/model';
import type { Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { referencesOf } from '../findingReferences';
import { bareArgument, mayLeaveFunction } from '../facts/driverGraph';
import { DEVICE_CREATE } from '../facts/wdfNames';
import { carriesSdvRule } from '../facts/sdvRules';
import { checkedFunctions } from '../findingsReuse';

const SDV_RULE = 'FDOPowerPolicyOwnerAPI';
const SET_OWNERSHIP = 'WdfDeviceInitSetPowerPolicyOwnership';
const SET_FILTER = 'WdfFdoInitSetFilter';
const IDENTIFIER = /^[A-Za-z_]\w*$/;

interface State {
  /** Ownership as this path left it: given up (and how), taken, or never said. */
  owner: 'default' | 'given-up' | 'filter' | 'taken';
  /** Where it was given up. */
  at?: number;
  /** The device created from the init on this path, while ownership is given up. */
  device?: string;
}

export const powerPolicyWithoutOwnership: Rule = {
  meta: {
    id: 'KMDF3034',
    name: 'power-policy-without-ownership',
    title: 'Power-policy callbacks or idle/wake settings after giving up power-policy ownership',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfDeviceInitSetPowerPolicyOwnership',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceinitsetpowerpolicyownership',
      },
      {
        title: 'WdfDeviceAssignS0IdleSettings',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceassigns0idlesettings',
      },
      {
        title: 'WdfFdoInitSetFilter',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdffdo/nf-wdffdo-wdffdoinitsetfilter',
      },
      { title: 'SDV rule FDOPowerPolicyOwnerAPI' },
    ],
    mirrors: { sdv: [SDV_RULE] },
    certainty:
      'Certain on the paths reported: in one function, ownership was given up (WdfDeviceInitSetPowerPolicyOwnership with FALSE, or WdfFdoInitSetFilter) on the same init and not taken back with TRUE before the call, on the init itself or on the device created from it. Reported as a warning by default.',
    helpPage: rulePagePath('KMDF3034'),
  },
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.body || !fn.flow) continue;
      const givers = fn.calls.filter(
        (c) => (c.callee === SET_OWNERSHIP && /^(FALSE|false)$/.test(c.args[1]?.text ?? '')) || c.callee === SET_FILTER,
      );
      const inits = new Set(givers.map((c) => bareArgument(c.args[0]?.text)).filter((v) => IDENTIFIER.test(v)));
      for (const init of inits) checkInit(ctx, fn, init);
    }
  },
};

function checkInit(ctx: RuleContext, fn: FunctionModel, init: string) {
  // Every state each power-policy call is reached with: reported only when all of them gave ownership up.
  const arrivals = new Map<number, { call: CallModel; states: State[] }>();
  const givenUp = (s: State) => s.owner === 'given-up' || s.owner === 'filter';
  const stepCall = (state: State, call: CallModel): State => {
    const first = bareArgument(call.args[0]?.text);
    if (call.callee === SET_OWNERSHIP && first === init) {
      const value = call.args[1]?.text ?? '';
      if (/^(FALSE|false)$/.test(value)) return { owner: 'given-up', at: call.span.startOffset, device: state.device };
      return { owner: /^(TRUE|true)$/.test(value) ? 'taken' : 'default', device: state.device };
    }
    if (call.callee === SET_FILTER && first === init)
      return state.owner === 'default' ? { owner: 'filter', at: call.span.startOffset, device: state.device } : state;
    if (call.callee === DEVICE_CREATE && first === init) {
      const device = bareArgument(call.args[2]?.text);
      return { ...state, device: IDENTIFIER.test(device) ? device : undefined };
    }
    if (call.callee !== SET_OWNERSHIP && carriesSdvRule(ctx, call.callee, SDV_RULE)) {
      if (first === init || (state.device !== undefined && first === state.device)) {
        const seen = arrivals.get(call.span.startOffset) ?? { call, states: [] };
        seen.states.push(state);
        arrivals.set(call.span.startOffset, seen);
      }
    }
    if (givenUp(state) && mayLeaveFunction(ctx, call.callee)) return { owner: 'default', device: state.device };
    return state;
  };
  const step = (state: State, site: FlowSite): State => {
    if (site.kind === 'call') return stepCall(state, site.call);
    const target = site.kind === 'assignment' ? site.assignment.target : site.variable;
    if (target === init && !(site.kind === 'assignment' && site.assignment.outArgumentOf)) return { owner: 'default' };
    if (
      state.device !== undefined &&
      target === state.device &&
      site.kind === 'assignment' &&
      !site.assignment.outArgumentOf
    )
      return { ...state, device: undefined };
    return state;
  };
  const exits = walkPaths<State>(fn, {
    start: { owner: 'default' },
    step,
    key: (s) => `${s.owner}|${s.at ?? ''}|${s.device ?? ''}`,
  });
  if (!exits) return;
  for (const { call, states } of [...arrivals.values()].sort(
    (a, b) => a.call.span.startOffset - b.call.span.startOffset,
  )) {
    if (!states.every(givenUp)) continue;
    const state = states[0];
    const how =
      state.owner === 'filter'
        ? `${SET_FILTER}(${init}) made the device a filter, and a filter is not the power-policy owner of its stack unless it calls ${SET_OWNERSHIP}(${init}, TRUE)`
        : `${SET_OWNERSHIP}(${init}, FALSE) gave up power-policy ownership`;
    const effect =
      call.callee === 'WdfDeviceInitSetPowerPolicyEventCallbacks'
        ? 'the framework calls power-policy callbacks only in the power-policy owner, so these are never called'
        : `${call.callee} fails with STATUS_INVALID_DEVICE_REQUEST on a device whose driver is not the power-policy owner`;
    const related = fn.calls.find((c) => c.span.startOffset === state.at);
    ctx.report({
      message: `${fn.name} calls ${call.callee} on a path where ${how}: ${effect}.`,
      span: call.span,
      function: fn.name,
      related: related
        ? [{ uri: ctx.document.uri, span: related.span, message: 'ownership is given up here' }]
        : undefined,
      references: referencesOf(ctx.index.get(call.callee)),
    });
  }
}
