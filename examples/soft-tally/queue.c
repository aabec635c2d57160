/* SoftTally: reads return the count, writes set it. Each request is finished where it arrives. */
#include "tally.h"

_Use_decl_annotations_
VOID
SoftTallyEvtIoRead(
    WDFQUEUE Queue,
    WDFREQUEST Request,
    size_t Length
    )
{
    PSOFTTALLY_DEVICE_CONTEXT deviceContext = SoftTallyGetDeviceContext(WdfIoQueueGetDevice(Queue));
    PULONG buffer;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(Length);

    status = WdfRequestRetrieveOutputBuffer(Request, sizeof(ULONG), (PVOID *)&buffer, NULL);
    if (!NT_SUCCESS(status)) {
        WdfRequestComplete(Request, status);
        return;
    }

    WdfSpinLockAcquire(deviceContext->CountLock);
    *buffer = deviceContext->Count;
    WdfSpinLockRelease(deviceContext->CountLock);

    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, sizeof(ULONG));
}

_Use_decl_annotations_
VOID
SoftTallyEvtIoWrite(
    WDFQUEUE Queue,
    WDFREQUEST Request,
    size_t Length
    )
{
    PSOFTTALLY_DEVICE_CONTEXT deviceContext = SoftTallyGetDeviceContext(WdfIoQueueGetDevice(Queue));
    PULONG buffer;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(Length);

    status = WdfRequestRetrieveInputBuffer(Request, sizeof(ULONG), (PVOID *)&buffer, NULL);
    if (!NT_SUCCESS(status)) {
        WdfRequestComplete(Request, status);
        return;
    }

    WdfSpinLockAcquire(deviceContext->CountLock);
    deviceContext->Count = *buffer;
    WdfSpinLockRelease(deviceContext->CountLock);

    /* The registry is written by the work item, off the request path; an item already queued is not queued again. */
    WdfWorkItemEnqueue(deviceContext->SaveWorkItem);
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, sizeof(ULONG));
}
