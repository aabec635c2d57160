/* EchoDma: driver entry and device creation. */
#include "echodma.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, EchoDmaEvtDeviceAdd)
#endif

_Use_decl_annotations_
NTSTATUS
DriverEntry(
    PDRIVER_OBJECT DriverObject,
    PUNICODE_STRING RegistryPath
    )
{
    NTSTATUS status;
    WDF_DRIVER_CONFIG config;

    WDF_DRIVER_CONFIG_INIT(&config, EchoDmaEvtDeviceAdd);

    status = WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
    if (!NT_SUCCESS(status)) {
        KdPrint(("EchoDma: WdfDriverCreate failed 0x%x\n", status));
    }
    return status;
}

_Use_decl_annotations_
NTSTATUS
EchoDmaEvtDeviceAdd(
    WDFDRIVER Driver,
    PWDFDEVICE_INIT DeviceInit
    )
{
    NTSTATUS status;
    WDF_PNPPOWER_EVENT_CALLBACKS pnpPowerCallbacks;
    WDF_OBJECT_ATTRIBUTES deviceAttributes;
    WDF_OBJECT_ATTRIBUTES childAttributes;
    WDF_TIMER_CONFIG timerConfig;
    WDFDEVICE device;
    PECHODMA_DEVICE_CONTEXT deviceContext;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(Driver);

    /* Direct I/O: the DMA transaction is built from the request's MDL. */
    WdfDeviceInitSetIoType(DeviceInit, WdfDeviceIoDirect);

    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnpPowerCallbacks);
    pnpPowerCallbacks.EvtDevicePrepareHardware = EchoDmaEvtDevicePrepareHardware;
    pnpPowerCallbacks.EvtDeviceReleaseHardware = EchoDmaEvtDeviceReleaseHardware;
    pnpPowerCallbacks.EvtDeviceD0Entry = EchoDmaEvtDeviceD0Entry;
    pnpPowerCallbacks.EvtDeviceD0Exit = EchoDmaEvtDeviceD0Exit;
    /* Suspend and restart are a pair: what one stops, the other starts again. */
    pnpPowerCallbacks.EvtDeviceSelfManagedIoInit = EchoDmaEvtDeviceSelfManagedIoInit;
    pnpPowerCallbacks.EvtDeviceSelfManagedIoSuspend = EchoDmaEvtDeviceSelfManagedIoSuspend;
    pnpPowerCallbacks.EvtDeviceSelfManagedIoRestart = EchoDmaEvtDeviceSelfManagedIoRestart;
    pnpPowerCallbacks.EvtDeviceSelfManagedIoCleanup = EchoDmaEvtDeviceSelfManagedIoCleanup;
    WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnpPowerCallbacks);

    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&deviceAttributes, ECHODMA_DEVICE_CONTEXT);
    status = WdfDeviceCreate(&DeviceInit, &deviceAttributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    deviceContext = EchoDmaGetDeviceContext(device);
    deviceContext->Device = device;

    WDF_OBJECT_ATTRIBUTES_INIT(&childAttributes);
    childAttributes.ParentObject = device;
    status = WdfSpinLockCreate(&childAttributes, &deviceContext->TransferLock);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    WDF_TIMER_CONFIG_INIT(&timerConfig, EchoDmaEvtTransferTimer);
    status = WdfTimerCreate(&timerConfig, &childAttributes, &deviceContext->TransferTimer);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    WDF_TIMER_CONFIG_INIT_PERIODIC(&timerConfig, EchoDmaEvtStatusPollTimer, ECHODMA_STATUS_POLL_MS);
    status = WdfTimerCreate(&timerConfig, &childAttributes, &deviceContext->StatusPollTimer);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    status = WdfDeviceCreateDeviceInterface(device, &GUID_DEVINTERFACE_ECHODMA, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    return EchoDmaQueueInitialize(device);
}
