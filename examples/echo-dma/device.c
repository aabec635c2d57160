/*
 * EchoDma: hardware resources, power transitions and the self-managed status poll.
 *
 * Paging: PrepareHardware, ReleaseHardware and SelfManagedIoCleanup run at PASSIVE_LEVEL outside
 * the power-up path, so they are pageable. D0Entry, D0Exit and the self-managed I/O init, suspend
 * and restart callbacks run while the device changes power state, when paging I/O may not be
 * possible, so they stay resident.
 */
#include "echodma.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, EchoDmaEvtDevicePrepareHardware)
#pragma alloc_text(PAGE, EchoDmaEvtDeviceReleaseHardware)
#pragma alloc_text(PAGE, EchoDmaEvtDeviceSelfManagedIoCleanup)
#endif

_Use_decl_annotations_
NTSTATUS
EchoDmaEvtDevicePrepareHardware(
    WDFDEVICE Device,
    WDFCMRESLIST ResourcesRaw,
    WDFCMRESLIST ResourcesTranslated
    )
{
    PECHODMA_DEVICE_CONTEXT deviceContext;
    PCM_PARTIAL_RESOURCE_DESCRIPTOR descriptor;
    PCM_PARTIAL_RESOURCE_DESCRIPTOR dmaDescriptor = NULL;
    PHYSICAL_ADDRESS registersBase = { 0 };
    ULONG count;
    ULONG index;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(ResourcesRaw);

    deviceContext = EchoDmaGetDeviceContext(Device);
    count = WdfCmResourceListGetCount(ResourcesTranslated);
    for (index = 0; index < count; index++) {
        descriptor = WdfCmResourceListGetDescriptor(ResourcesTranslated, index);
        if (descriptor == NULL) {
            return STATUS_DEVICE_CONFIGURATION_ERROR;
        }
        if (descriptor->Type == CmResourceTypeMemory && deviceContext->Registers == NULL) {
            if (descriptor->u.Memory.Length < sizeof(ECHODMA_REGISTERS)) {
                return STATUS_DEVICE_CONFIGURATION_ERROR;
            }
            registersBase = descriptor->u.Memory.Start;
            deviceContext->RegistersLength = descriptor->u.Memory.Length;
            deviceContext->Registers = (PECHODMA_REGISTERS)MmMapIoSpaceEx(registersBase,
                                                                          deviceContext->RegistersLength,
                                                                          PAGE_READWRITE | PAGE_NOCACHE);
            if (deviceContext->Registers == NULL) {
                return STATUS_INSUFFICIENT_RESOURCES;
            }
        } else if (descriptor->Type == CmResourceTypeDma && dmaDescriptor == NULL) {
            dmaDescriptor = descriptor;
        }
    }

    if (deviceContext->Registers == NULL || dmaDescriptor == NULL) {
        /* EvtDeviceReleaseHardware still runs and unmaps what was mapped. */
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    }

    /* The controller moves data to and from the Data register's bus address. */
    registersBase.QuadPart += FIELD_OFFSET(ECHODMA_REGISTERS, Data);
    return EchoDmaCreateDmaObjects(deviceContext, registersBase, dmaDescriptor);
}

_Use_decl_annotations_
NTSTATUS
EchoDmaEvtDeviceReleaseHardware(
    WDFDEVICE Device,
    WDFCMRESLIST ResourcesTranslated
    )
{
    PECHODMA_DEVICE_CONTEXT deviceContext;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(ResourcesTranslated);

    deviceContext = EchoDmaGetDeviceContext(Device);
    if (deviceContext->DmaEnabler != NULL) {
        /* Deleting the enabler deletes the transaction, its child. */
        WdfObjectDelete(deviceContext->DmaEnabler);
        deviceContext->DmaEnabler = NULL;
        deviceContext->Transaction = NULL;
    }
    if (deviceContext->Registers != NULL) {
        MmUnmapIoSpace(deviceContext->Registers, deviceContext->RegistersLength);
        deviceContext->Registers = NULL;
    }
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS
EchoDmaEvtDeviceD0Entry(
    WDFDEVICE Device,
    WDF_POWER_DEVICE_STATE PreviousState
    )
{
    PECHODMA_DEVICE_CONTEXT deviceContext = EchoDmaGetDeviceContext(Device);

    UNREFERENCED_PARAMETER(PreviousState);

    WRITE_REGISTER_ULONG(&deviceContext->Registers->Control, ECHODMA_CONTROL_IDLE);
    deviceContext->LastStatus = READ_REGISTER_ULONG(&deviceContext->Registers->Status);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS
EchoDmaEvtDeviceD0Exit(
    WDFDEVICE Device,
    WDF_POWER_DEVICE_STATE TargetState
    )
{
    PECHODMA_DEVICE_CONTEXT deviceContext = EchoDmaGetDeviceContext(Device);

    UNREFERENCED_PARAMETER(TargetState);

    WRITE_REGISTER_ULONG(&deviceContext->Registers->Control, ECHODMA_CONTROL_IDLE);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS
EchoDmaEvtDeviceSelfManagedIoInit(
    WDFDEVICE Device
    )
{
    PECHODMA_DEVICE_CONTEXT deviceContext = EchoDmaGetDeviceContext(Device);

    /* First start: begin polling the status register. */
    WdfTimerStart(deviceContext->StatusPollTimer, WDF_REL_TIMEOUT_IN_MS(ECHODMA_STATUS_POLL_MS));
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS
EchoDmaEvtDeviceSelfManagedIoSuspend(
    WDFDEVICE Device
    )
{
    PECHODMA_DEVICE_CONTEXT deviceContext = EchoDmaGetDeviceContext(Device);

    /* Leaving D0 (or being removed): the poll touches registers, so stop it and wait for a
       running poll to return. Waiting is allowed here, at PASSIVE_LEVEL. */
    WdfTimerStop(deviceContext->StatusPollTimer, TRUE);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS
EchoDmaEvtDeviceSelfManagedIoRestart(
    WDFDEVICE Device
    )
{
    PECHODMA_DEVICE_CONTEXT deviceContext = EchoDmaGetDeviceContext(Device);

    /* Back in D0 after EchoDmaEvtDeviceSelfManagedIoSuspend: poll again. */
    WdfTimerStart(deviceContext->StatusPollTimer, WDF_REL_TIMEOUT_IN_MS(ECHODMA_STATUS_POLL_MS));
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID
EchoDmaEvtDeviceSelfManagedIoCleanup(
    WDFDEVICE Device
    )
{
    PECHODMA_DEVICE_CONTEXT deviceContext;

    PAGED_CODE();

    deviceContext = EchoDmaGetDeviceContext(Device);
    /* Removal: suspend already stopped the poll; make sure no callback is still running. */
    WdfTimerStop(deviceContext->StatusPollTimer, TRUE);
}

_Use_decl_annotations_
VOID
EchoDmaEvtStatusPollTimer(
    WDFTIMER Timer
    )
{
    PECHODMA_DEVICE_CONTEXT deviceContext = EchoDmaGetDeviceContext((WDFDEVICE)WdfTimerGetParentObject(Timer));
    ULONG status = READ_REGISTER_ULONG(&deviceContext->Registers->Status);

    if ((status & ECHODMA_STATUS_FAULT) != 0 && (deviceContext->LastStatus & ECHODMA_STATUS_FAULT) == 0) {
        /* A new fault: let PnP restart the device. */
        WdfDeviceSetFailed(deviceContext->Device, WdfDeviceFailedAttemptRestart);
    }
    deviceContext->LastStatus = status;
}
