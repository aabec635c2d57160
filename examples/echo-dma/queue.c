/*
 * EchoDma: the default queue. Sequential dispatch gives the driver one request at a time, which
 * is all the single DMA channel can carry. The queue is power-managed: the framework stops it
 * (calling EchoDmaEvtIoStop for the request in flight) before the device leaves D0.
 */
#include "echodma.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, EchoDmaQueueInitialize)
#endif

_Use_decl_annotations_
NTSTATUS
EchoDmaQueueInitialize(
    WDFDEVICE Device
    )
{
    WDF_IO_QUEUE_CONFIG queueConfig;

    PAGED_CODE();

    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchSequential);
    queueConfig.EvtIoRead = EchoDmaEvtIoRead;
    queueConfig.EvtIoWrite = EchoDmaEvtIoWrite;
    queueConfig.EvtIoStop = EchoDmaEvtIoStop;

    return WdfIoQueueCreate(Device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
}

_Use_decl_annotations_
VOID
EchoDmaEvtIoRead(
    WDFQUEUE Queue,
    WDFREQUEST Request,
    size_t Length
    )
{
    if (Length == 0) {
        WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, 0);
        return;
    }
    EchoDmaStartTransfer(EchoDmaGetDeviceContext(WdfIoQueueGetDevice(Queue)), Request, WdfDmaDirectionReadFromDevice);
}

_Use_decl_annotations_
VOID
EchoDmaEvtIoWrite(
    WDFQUEUE Queue,
    WDFREQUEST Request,
    size_t Length
    )
{
    if (Length == 0) {
        WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, 0);
        return;
    }
    EchoDmaStartTransfer(EchoDmaGetDeviceContext(WdfIoQueueGetDevice(Queue)), Request, WdfDmaDirectionWriteToDevice);
}

_Use_decl_annotations_
VOID
EchoDmaEvtIoStop(
    WDFQUEUE Queue,
    WDFREQUEST Request,
    ULONG ActionFlags
    )
{
    PECHODMA_DEVICE_CONTEXT deviceContext = EchoDmaGetDeviceContext(WdfIoQueueGetDevice(Queue));

    /*
     * The only request the driver holds is the one whose DMA transfer is in flight; it is
     * cancelable (WdfRequestStopRequestCancelable is set). Its buffer belongs to the DMA
     * controller until the transfer ends, so it can be neither requeued nor completed here.
     * Instead the transfer is stopped now, on suspend and on purge alike; the transfer-complete
     * path then unmarks the request as cancelable and completes it with STATUS_CANCELLED, and
     * the framework waits for that completion before the device leaves D0.
     */
    if ((ActionFlags & (WdfRequestStopActionSuspend | WdfRequestStopActionPurge)) != 0) {
        EchoDmaRequestStop(deviceContext, Request, STATUS_CANCELLED);
    }
}
