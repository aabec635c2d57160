/*
 * One deliberate violation of each IRQL and paging rule (KMDF2001-KMDF2009), for trying the
 * diagnostics: open this file in VS Code with KMDF Assist, or run `kmdf lint examples/violations-irql.c`.
 * The comment above each function names the rule it breaks. The last function shows `kmdf-ignore`.
 */
#include <ntddk.h>
#include <wdf.h>

typedef struct _IRQL_CONTEXT {
    WDFIOTARGET Target;
    WDFKEY      Key;
} IRQL_CONTEXT, *PIRQL_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(IRQL_CONTEXT, IrqlGetContext)

EVT_WDF_DPC IrqlEvtDpc;
EVT_WDF_TIMER IrqlEvtTimer;
EVT_WDF_DEVICE_D0_ENTRY IrqlEvtD0Entry;
EVT_WDF_DEVICE_PREPARE_HARDWARE IrqlEvtPrepareHardware;
EVT_WDF_DEVICE_RELEASE_HARDWARE IrqlEvtReleaseHardware;
EVT_WDF_DEVICE_D0_EXIT IrqlEvtD0Exit;

_IRQL_requires_max_(DISPACH_LEVEL)                                 /* KMDF2008: misspelt level */
VOID IrqlFlush(_In_ PIRQL_CONTEXT Context);

KEVENT IrqlStopped;

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, IrqlEvtD0Entry)
#pragma alloc_text(PAGE, IrqlEvtPrepareHardware)
#pragma alloc_text(PAGE, IrqlEvtReleaseHardware)
#pragma alloc_text(PAGE, IrqlEvtD0Exit)
#endif

/* KMDF2007: reached at PASSIVE_LEVEL and at DISPATCH_LEVEL, no annotation. */
static VOID
IrqlCount(PIRQL_CONTEXT Context)
{
    UNREFERENCED_PARAMETER(Context);
}

/* KMDF2001: a PASSIVE_LEVEL method from a DPC. KMDF2002: PAGED_CODE() at DISPATCH_LEVEL. */
_Use_decl_annotations_
VOID
IrqlEvtDpc(WDFDPC Dpc)
{
    PIRQL_CONTEXT context = IrqlGetContext(WdfDpcGetParentObject(Dpc));
    ULONG value;
    IrqlCount(context);
    (VOID)WdfRegistryQueryULong(context->Key, NULL, &value);
}

_Use_decl_annotations_
VOID
IrqlEvtTimer(WDFTIMER Timer)
{
    PAGED_CODE();
    UNREFERENCED_PARAMETER(Timer);
}

/* KMDF2003: D0 entry should not be pageable. */
_Use_decl_annotations_
NTSTATUS
IrqlEvtD0Entry(WDFDEVICE Device, WDF_POWER_DEVICE_STATE PreviousState)
{
    PAGED_CODE();
    UNREFERENCED_PARAMETER(PreviousState);
    IrqlCount(IrqlGetContext(Device));
    return STATUS_SUCCESS;
}

/* KMDF2004: in PAGE without PAGED_CODE(). */
_Use_decl_annotations_
NTSTATUS
IrqlEvtPrepareHardware(WDFDEVICE Device, WDFCMRESLIST Raw, WDFCMRESLIST Translated)
{
    UNREFERENCED_PARAMETER(Device);
    UNREFERENCED_PARAMETER(Raw);
    UNREFERENCED_PARAMETER(Translated);
    return STATUS_SUCCESS;
}

/* KMDF2006: KeSetEvent(…, TRUE) in pageable code. */
_Use_decl_annotations_
NTSTATUS
IrqlEvtReleaseHardware(WDFDEVICE Device, WDFCMRESLIST Translated)
{
    PAGED_CODE();
    UNREFERENCED_PARAMETER(Device);
    UNREFERENCED_PARAMETER(Translated);
    KeSetEvent(&IrqlStopped, IO_NO_INCREMENT, TRUE);
    return STATUS_SUCCESS;
}

/* KMDF2005: PAGED_CODE() but not in a paged section. */
_Use_decl_annotations_
VOID
IrqlFlush(PIRQL_CONTEXT Context)
{
    PAGED_CODE();
    UNREFERENCED_PARAMETER(Context);
}

/* KMDF2009: the early return leaves the IRQL raised. */
_IRQL_requires_max_(DISPATCH_LEVEL)
static ULONG
IrqlSample(_In_ PIRQL_CONTEXT Context, _In_ volatile ULONG* Register)
{
    KIRQL oldIrql;
    ULONG value;

    UNREFERENCED_PARAMETER(Context);
    KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
    value = READ_REGISTER_ULONG((PULONG)Register);
    if (value == 0xFFFFFFFF) {
        return 0;
    }
    KeLowerIrql(oldIrql);
    return value;
}

/* Suppressed: a reviewed exception, silenced above the function it concerns. */
// kmdf-ignore KMDF2004
_Use_decl_annotations_
NTSTATUS
IrqlEvtD0Exit(WDFDEVICE Device, WDF_POWER_DEVICE_STATE TargetState)
{
    UNREFERENCED_PARAMETER(Device);
    UNREFERENCED_PARAMETER(TargetState);
    return STATUS_SUCCESS;
}
