/*
 * One deliberate violation of each callback-contract rule (KMDF3001-KMDF3017), for trying the
 * diagnostics: open this file in VS Code with KMDF Assist, or run `kmdf lint examples/violations-contracts.c`.
 * Every function is small and on its own; the comment above each names the rule it breaks.
 */
#include <ntddk.h>
#include <wdf.h>

typedef struct _DEMO_CONTEXT {
    WDFQUEUE PendingQueue;
    WDFREQUEST Waiting;
} DEMO_CONTEXT, *PDEMO_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(DEMO_CONTEXT, DemoGetContext)

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD DemoEvtDeviceAdd;
EVT_WDF_IO_QUEUE_IO_STOP DemoEvtIoStopIdle;
EVT_WDF_IO_QUEUE_IO_STOP DemoEvtIoStopEarly;
EVT_WDF_IO_QUEUE_IO_STOP DemoEvtIoStopParks;
EVT_WDF_IO_QUEUE_IO_READ DemoEvtIoRead;
EVT_WDF_IO_QUEUE_IO_WRITE DemoEvtIoWrite;
EVT_WDF_IO_QUEUE_IO_RESUME DemoEvtIoResume;
EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL DemoEvtIoDeviceControl;
EVT_WDF_REQUEST_CANCEL DemoEvtRequestCancel;
EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART DemoEvtSelfManagedIoRestart;
EVT_WDF_DEVICE_SURPRISE_REMOVAL DemoEvtSurpriseRemoval;
EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_START DemoEvtDmaStart;
EVT_WDF_TIMER DemoEvtTimer;

/* KMDF3013: DriverEntry never creates the framework driver object. */
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    WDF_DRIVER_CONFIG_INIT(&config, DemoEvtDeviceAdd);
    return STATUS_SUCCESS;
}

NTSTATUS
DemoEvtDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    WDF_PNPPOWER_EVENT_CALLBACKS pnpCallbacks;
    WDF_IO_QUEUE_CONFIG queueConfig;
    WDF_IO_QUEUE_CONFIG manualConfig;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDFDEVICE device;
    NTSTATUS status;
    UNREFERENCED_PARAMETER(Driver);

    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnpCallbacks);
    pnpCallbacks.EvtDeviceSurpriseRemoval = DemoEvtSurpriseRemoval;
    pnpCallbacks.EvtDeviceSelfManagedIoRestart = DemoEvtSelfManagedIoRestart;
    WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnpCallbacks);

    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, DEMO_CONTEXT);
    status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    /* KMDF3011: DeviceInit was consumed by WdfDeviceCreate. */
    WdfDeviceInitSetIoType(DeviceInit, WdfDeviceIoBuffered);

    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchSequential);
    queueConfig.EvtIoRead = DemoEvtIoRead;
    queueConfig.EvtIoWrite = DemoEvtIoWrite;
    queueConfig.EvtIoDeviceControl = DemoEvtIoDeviceControl;
    queueConfig.EvtIoStop = DemoEvtIoStopParks;
    status = WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    WDF_IO_QUEUE_CONFIG_INIT(&manualConfig, WdfIoQueueDispatchManual);
    manualConfig.PowerManaged = WdfFalse;
    manualConfig.EvtIoStop = DemoEvtIoStopIdle;
    /* KMDF3006: EvtIoResume on a queue that is not power-managed. */
    manualConfig.EvtIoResume = DemoEvtIoResume;
    return WdfIoQueueCreate(device, &manualConfig, WDF_NO_OBJECT_ATTRIBUTES, &DemoGetContext(device)->PendingQueue);
}

/* KMDF3001: the request is left alone. */
VOID
DemoEvtIoStopIdle(WDFQUEUE Queue, WDFREQUEST Request, ULONG ActionFlags)
{
    UNREFERENCED_PARAMETER(Queue);
    UNREFERENCED_PARAMETER(Request);
    UNREFERENCED_PARAMETER(ActionFlags);
}

/* KMDF3002: the early return skips the handling below (and, with no unmark, KMDF3003 as well). */
VOID
DemoEvtIoStopEarly(WDFQUEUE Queue, WDFREQUEST Request, ULONG ActionFlags)
{
    UNREFERENCED_PARAMETER(Queue);
    if ((ActionFlags & WdfRequestStopActionPurge) == 0) {
        return;
    }
    WdfRequestComplete(Request, STATUS_CANCELLED);
}

/* KMDF3003 (no unmark in a driver that marks requests cancelable) and KMDF3005 (FALSE without EvtIoResume on this queue). */
VOID
DemoEvtIoStopParks(WDFQUEUE Queue, WDFREQUEST Request, ULONG ActionFlags)
{
    UNREFERENCED_PARAMETER(Queue);
    UNREFERENCED_PARAMETER(ActionFlags);
    WdfRequestStopAcknowledge(Request, FALSE);
}

VOID
DemoEvtIoResume(WDFQUEUE Queue, WDFREQUEST Request)
{
    UNREFERENCED_PARAMETER(Queue);
    WdfRequestComplete(Request, STATUS_SUCCESS);
}

VOID
DemoEvtRequestCancel(WDFREQUEST Request)
{
    WdfRequestComplete(Request, STATUS_CANCELLED);
}

/* KMDF3014: marked cancelable twice on one path. KMDF3004: acknowledging a stop outside EvtIoStop. */
VOID
DemoEvtIoRead(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
    UNREFERENCED_PARAMETER(Queue);
    UNREFERENCED_PARAMETER(Length);
    WdfRequestMarkCancelableEx(Request, DemoEvtRequestCancel);
    WdfRequestMarkCancelableEx(Request, DemoEvtRequestCancel);
    WdfRequestStopAcknowledge(Request, TRUE);
}

/* KMDF3017: completed twice when the length is zero. */
VOID
DemoEvtIoWrite(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
    UNREFERENCED_PARAMETER(Queue);
    if (Length == 0) {
        WdfRequestComplete(Request, STATUS_INVALID_PARAMETER);
    }
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
}

/* KMDF3015: a blocking queue call from a request handler. */
VOID
DemoEvtIoDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputLength, size_t InputLength, ULONG IoControlCode)
{
    UNREFERENCED_PARAMETER(OutputLength);
    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(IoControlCode);
    WdfIoQueuePurgeSynchronously(DemoGetContext(WdfIoQueueGetDevice(Queue))->PendingQueue);
    WdfRequestComplete(Request, STATUS_SUCCESS);
}

NTSTATUS
DemoEvtSelfManagedIoRestart(WDFDEVICE Device)
{
    UNREFERENCED_PARAMETER(Device);
    return STATUS_SUCCESS;
}

/* KMDF3016: the framework takes the queues down itself during removal. */
VOID
DemoEvtSurpriseRemoval(WDFDEVICE Device)
{
    WdfIoQueueStopSynchronously(DemoGetContext(Device)->PendingQueue);
}

/* KMDF3008 (start without stop) and KMDF3010 (no DMA version 3 for the cancel below). */
NTSTATUS
DemoCreateEnabler(WDFDEVICE Device, WDFDMAENABLER *Enabler)
{
    WDF_DMA_ENABLER_CONFIG dmaConfig;
    WDF_DMA_ENABLER_CONFIG_INIT(&dmaConfig, WdfDmaProfileScatterGather64, 0x10000);
    dmaConfig.EvtDmaEnablerSelfManagedIoStart = DemoEvtDmaStart;
    return WdfDmaEnablerCreate(Device, &dmaConfig, WDF_NO_OBJECT_ATTRIBUTES, Enabler);
}

NTSTATUS
DemoEvtDmaStart(WDFDMAENABLER DmaEnabler)
{
    UNREFERENCED_PARAMETER(DmaEnabler);
    return STATUS_SUCCESS;
}

/* KMDF3009: a system-mode DMA method in a bus-master driver. KMDF3010: cancel on a version 2 enabler. */
VOID
DemoEvtTimer(WDFTIMER Timer)
{
    WDFDMATRANSACTION transaction = (WDFDMATRANSACTION)WdfTimerGetParentObject(Timer);
    if (!WdfDmaTransactionCancel(transaction)) {
        WdfDmaTransactionStopSystemTransfer(transaction);
    }
}

/* KMDF3012: the control device is never finished. */
NTSTATUS
DemoCreateControlDevice(WDFDRIVER Driver)
{
    PWDFDEVICE_INIT controlInit = WdfControlDeviceInitAllocate(Driver, &SDDL_DEVOBJ_SYS_ALL_ADM_ALL);
    WDFDEVICE control;
    if (controlInit == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    return WdfDeviceCreate(&controlInit, WDF_NO_OBJECT_ATTRIBUTES, &control);
}
