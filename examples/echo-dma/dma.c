/*
 * EchoDma: system-mode DMA. The enabler uses the duplex system profile (one channel, both
 * directions). Each transfer ends in EchoDmaEvtDmaTransferComplete. A transfer that must end early
 * (timeout, cancel, queue stop) is stopped with WdfDmaTransactionStopSystemTransfer; the framework
 * then reports it as DmaCancelled and the transaction is closed with WdfDmaTransactionDmaCompletedFinal.
 *
 * Who completes the request in flight: the transfer-complete path, unless the request's cancel
 * routine has run or is about to (WdfRequestUnmarkCancelable returned STATUS_CANCELLED). Then the
 * two meet under TransferLock and whichever comes second completes it.
 */
#include "echodma.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, EchoDmaCreateDmaObjects)
#endif

_Use_decl_annotations_
NTSTATUS
EchoDmaCreateDmaObjects(
    PECHODMA_DEVICE_CONTEXT DeviceContext,
    PHYSICAL_ADDRESS DataPort,
    PCM_PARTIAL_RESOURCE_DESCRIPTOR DmaDescriptor
    )
{
    NTSTATUS status;
    WDF_DMA_ENABLER_CONFIG enablerConfig;
    WDF_DMA_SYSTEM_PROFILE_CONFIG profileConfig;
    WDF_OBJECT_ATTRIBUTES enablerAttributes;

    PAGED_CODE();

    WDF_DMA_ENABLER_CONFIG_INIT(&enablerConfig, WdfDmaProfileSystemDuplex, ECHODMA_MAX_TRANSFER_LENGTH);
    enablerConfig.EvtDmaEnablerSelfManagedIoStart = EchoDmaEvtDmaEnablerSelfManagedIoStart;
    enablerConfig.EvtDmaEnablerSelfManagedIoStop = EchoDmaEvtDmaEnablerSelfManagedIoStop;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&enablerAttributes, ECHODMA_ENABLER_CONTEXT);
    status = WdfDmaEnablerCreate(DeviceContext->Device, &enablerConfig, &enablerAttributes, &DeviceContext->DmaEnabler);
    if (!NT_SUCCESS(status)) {
        DeviceContext->DmaEnabler = NULL;
        return status;
    }
    EchoDmaGetEnablerContext(DeviceContext->DmaEnabler)->DeviceContext = DeviceContext;

    /* A duplex enabler needs each direction configured before it is used. */
    WDF_DMA_SYSTEM_PROFILE_CONFIG_INIT(&profileConfig, DataPort, Width32Bits, DmaDescriptor);
    status = WdfDmaEnablerConfigureSystemProfile(DeviceContext->DmaEnabler, &profileConfig, WdfDmaDirectionReadFromDevice);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = WdfDmaEnablerConfigureSystemProfile(DeviceContext->DmaEnabler, &profileConfig, WdfDmaDirectionWriteToDevice);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    /* The transaction's parent is the enabler; both go away in EvtDeviceReleaseHardware. */
    return WdfDmaTransactionCreate(DeviceContext->DmaEnabler, WDF_NO_OBJECT_ATTRIBUTES, &DeviceContext->Transaction);
}

_Use_decl_annotations_
NTSTATUS
EchoDmaEvtDmaEnablerSelfManagedIoStart(
    WDFDMAENABLER DmaEnabler
    )
{
    PECHODMA_DEVICE_CONTEXT deviceContext = EchoDmaGetEnablerContext(DmaEnabler)->DeviceContext;

    /* Entering D0: let the device raise its DMA request line again. */
    WRITE_REGISTER_ULONG(&deviceContext->Registers->Control, ECHODMA_CONTROL_DMA_REQUESTS_ON);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS
EchoDmaEvtDmaEnablerSelfManagedIoStop(
    WDFDMAENABLER DmaEnabler
    )
{
    PECHODMA_DEVICE_CONTEXT deviceContext = EchoDmaGetEnablerContext(DmaEnabler)->DeviceContext;

    /* Leaving D0: the power-managed queue has stopped, so no transfer is in flight. */
    WRITE_REGISTER_ULONG(&deviceContext->Registers->Control, ECHODMA_CONTROL_IDLE);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID
EchoDmaStartTransfer(
    PECHODMA_DEVICE_CONTEXT DeviceContext,
    WDFREQUEST Request,
    WDF_DMA_DIRECTION Direction
    )
{
    NTSTATUS status;

    status = WdfDmaTransactionInitializeUsingRequest(DeviceContext->Transaction, Request, EchoDmaEvtProgramDma, Direction);
    if (!NT_SUCCESS(status)) {
        WdfRequestComplete(Request, status);
        return;
    }
    WdfDmaTransactionSetTransferCompleteCallback(DeviceContext->Transaction, EchoDmaEvtDmaTransferComplete, DeviceContext);

    WdfSpinLockAcquire(DeviceContext->TransferLock);
    DeviceContext->CurrentRequest = Request;
    DeviceContext->TransferDeadline = KeQueryInterruptTime() + (ULONGLONG)ECHODMA_TRANSFER_TIMEOUT_MS * 10000;
    DeviceContext->TransferFinished = FALSE;
    DeviceContext->StopRequested = FALSE;
    DeviceContext->StopStatus = STATUS_SUCCESS;
    DeviceContext->CancelRoutineRan = FALSE;
    DeviceContext->CompletionHandedToCancel = FALSE;
    WdfSpinLockRelease(DeviceContext->TransferLock);

    status = WdfRequestMarkCancelableEx(Request, EchoDmaEvtRequestCancel);
    if (!NT_SUCCESS(status)) {
        /* Already canceled: the cancel routine was not set, so complete it here. */
        WdfSpinLockAcquire(DeviceContext->TransferLock);
        DeviceContext->CurrentRequest = NULL;
        DeviceContext->TransferFinished = TRUE;
        WdfSpinLockRelease(DeviceContext->TransferLock);
        WdfDmaTransactionRelease(DeviceContext->Transaction);
        WdfRequestComplete(Request, status);
        return;
    }

    WdfTimerStart(DeviceContext->TransferTimer, WDF_REL_TIMEOUT_IN_MS(ECHODMA_TRANSFER_TIMEOUT_MS));

    status = WdfDmaTransactionExecute(DeviceContext->Transaction, DeviceContext);
    if (!NT_SUCCESS(status)) {
        /* Nothing was programmed: finish as if the transfer had failed at once. */
        WdfDmaTransactionRelease(DeviceContext->Transaction);
        EchoDmaFinishRequest(DeviceContext, status, 0);
    }
}

_Use_decl_annotations_
VOID
EchoDmaFinishRequest(
    PECHODMA_DEVICE_CONTEXT DeviceContext,
    NTSTATUS Status,
    size_t Length
    )
{
    WDFREQUEST request;

    WdfTimerStop(DeviceContext->TransferTimer, FALSE);

    WdfSpinLockAcquire(DeviceContext->TransferLock);
    DeviceContext->TransferFinished = TRUE;
    request = DeviceContext->CurrentRequest;
    WdfSpinLockRelease(DeviceContext->TransferLock);
    if (request == NULL) {
        return;
    }

    if (WdfRequestUnmarkCancelable(request) == STATUS_CANCELLED) {
        /* The cancel routine has run or is about to run: the second of us completes. */
        WdfSpinLockAcquire(DeviceContext->TransferLock);
        if (!DeviceContext->CancelRoutineRan) {
            DeviceContext->CompletionHandedToCancel = TRUE;
            DeviceContext->FinalStatus = Status;
            DeviceContext->FinalLength = Length;
            request = NULL;
        } else {
            DeviceContext->CurrentRequest = NULL;
        }
        WdfSpinLockRelease(DeviceContext->TransferLock);
        if (request == NULL) {
            return;
        }
    } else {
        WdfSpinLockAcquire(DeviceContext->TransferLock);
        DeviceContext->CurrentRequest = NULL;
        WdfSpinLockRelease(DeviceContext->TransferLock);
    }
    WdfRequestCompleteWithInformation(request, Status, Length);
}

_Use_decl_annotations_
VOID
EchoDmaRequestStop(
    PECHODMA_DEVICE_CONTEXT DeviceContext,
    WDFREQUEST Request,
    NTSTATUS Reason
    )
{
    BOOLEAN stop = FALSE;

    WdfSpinLockAcquire(DeviceContext->TransferLock);
    if (DeviceContext->CurrentRequest != NULL &&
        (Request == NULL || Request == DeviceContext->CurrentRequest) &&
        !DeviceContext->TransferFinished &&
        !DeviceContext->StopRequested) {
        DeviceContext->StopRequested = TRUE;
        DeviceContext->StopStatus = Reason;
        stop = TRUE;
    }
    WdfSpinLockRelease(DeviceContext->TransferLock);

    if (stop) {
        /* Returns at once; EchoDmaEvtDmaTransferComplete follows with DmaCancelled. */
        WdfDmaTransactionStopSystemTransfer(DeviceContext->Transaction);
    }
}

_Use_decl_annotations_
BOOLEAN
EchoDmaEvtProgramDma(
    WDFDMATRANSACTION Transaction,
    WDFDEVICE Device,
    WDFCONTEXT Context,
    WDF_DMA_DIRECTION Direction,
    PSCATTER_GATHER_LIST SgList
    )
{
    PECHODMA_DEVICE_CONTEXT deviceContext = (PECHODMA_DEVICE_CONTEXT)Context;
    size_t length = WdfDmaTransactionGetCurrentDmaTransferLength(Transaction);

    UNREFERENCED_PARAMETER(Device);
    /* System-mode DMA: the HAL programs the shared controller; the device only needs the
       length and direction. */
    UNREFERENCED_PARAMETER(SgList);

    WRITE_REGISTER_ULONG(&deviceContext->Registers->Length, (ULONG)length);
    WRITE_REGISTER_ULONG(&deviceContext->Registers->Control,
                         ECHODMA_CONTROL_DMA_REQUESTS_ON |
                         (Direction == WdfDmaDirectionReadFromDevice ? ECHODMA_CONTROL_SEND_TO_HOST
                                                                     : ECHODMA_CONTROL_RECEIVE_FROM_HOST));
    return TRUE;
}

_Use_decl_annotations_
VOID
EchoDmaEvtDmaTransferComplete(
    WDFDMATRANSACTION Transaction,
    WDFDEVICE Device,
    WDFCONTEXT Context,
    WDF_DMA_DIRECTION Direction,
    DMA_COMPLETION_STATUS Status
    )
{
    PECHODMA_DEVICE_CONTEXT deviceContext = (PECHODMA_DEVICE_CONTEXT)Context;
    NTSTATUS status;
    size_t length;
    NTSTATUS stopStatus;

    UNREFERENCED_PARAMETER(Device);
    UNREFERENCED_PARAMETER(Direction);

    if (Status == DmaComplete) {
        if (!WdfDmaTransactionDmaCompleted(Transaction, &status)) {
            /* More transfers to go: the framework calls EchoDmaEvtProgramDma for the next one. */
            return;
        }
    } else {
        /* Stopped (DmaCancelled) or failed: close the transaction with what was moved so far. */
        WRITE_REGISTER_ULONG(&deviceContext->Registers->Control, ECHODMA_CONTROL_ABORT);
        (VOID)WdfDmaTransactionDmaCompletedFinal(Transaction, WdfDmaTransactionGetBytesTransferred(Transaction), &status);
        WdfSpinLockAcquire(deviceContext->TransferLock);
        stopStatus = deviceContext->StopRequested ? deviceContext->StopStatus : STATUS_IO_DEVICE_ERROR;
        WdfSpinLockRelease(deviceContext->TransferLock);
        status = stopStatus;
    }

    length = WdfDmaTransactionGetBytesTransferred(Transaction);
    WdfDmaTransactionRelease(Transaction);
    EchoDmaFinishRequest(deviceContext, status, length);
}

_Use_decl_annotations_
VOID
EchoDmaEvtTransferTimer(
    WDFTIMER Timer
    )
{
    PECHODMA_DEVICE_CONTEXT deviceContext = EchoDmaGetDeviceContext((WDFDEVICE)WdfTimerGetParentObject(Timer));
    BOOLEAN expired;

    /* A late expiry meant for an earlier transfer must not stop the current one. */
    WdfSpinLockAcquire(deviceContext->TransferLock);
    expired = KeQueryInterruptTime() >= deviceContext->TransferDeadline;
    WdfSpinLockRelease(deviceContext->TransferLock);
    if (expired) {
        EchoDmaRequestStop(deviceContext, NULL, STATUS_IO_TIMEOUT);
    }
}

_Use_decl_annotations_
VOID
EchoDmaEvtRequestCancel(
    WDFREQUEST Request
    )
{
    PECHODMA_DEVICE_CONTEXT deviceContext = EchoDmaGetDeviceContext(WdfIoQueueGetDevice(WdfRequestGetIoQueue(Request)));
    BOOLEAN complete;
    NTSTATUS status;
    size_t length;

    WdfSpinLockAcquire(deviceContext->TransferLock);
    deviceContext->CancelRoutineRan = TRUE;
    complete = deviceContext->CompletionHandedToCancel;
    status = deviceContext->FinalStatus;
    length = deviceContext->FinalLength;
    if (complete) {
        deviceContext->CurrentRequest = NULL;
    }
    WdfSpinLockRelease(deviceContext->TransferLock);

    if (complete) {
        /* The transfer already ended and left the request to us. */
        WdfRequestCompleteWithInformation(Request, status, length);
    } else {
        /* Stop the transfer; the transfer-complete path finishes the request. */
        EchoDmaRequestStop(deviceContext, Request, STATUS_CANCELLED);
    }
}
