/* SoftTally: driver entry, device add and the power callbacks that run the tick timer. */
#include "tally.h"

_Use_decl_annotations_
NTSTATUS
DriverEntry(
    PDRIVER_OBJECT DriverObject,
    PUNICODE_STRING RegistryPath
    )
{
    WDF_DRIVER_CONFIG config;

    WDF_DRIVER_CONFIG_INIT(&config, SoftTallyEvtDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

_Use_decl_annotations_
NTSTATUS
SoftTallyEvtDeviceAdd(
    WDFDRIVER Driver,
    PWDFDEVICE_INIT DeviceInit
    )
{
    NTSTATUS status;
    WDF_PNPPOWER_EVENT_CALLBACKS pnpPowerCallbacks;
    WDF_OBJECT_ATTRIBUTES deviceAttributes;
    WDF_OBJECT_ATTRIBUTES childAttributes;
    WDF_TIMER_CONFIG timerConfig;
    WDF_WORKITEM_CONFIG workItemConfig;
    WDF_IO_QUEUE_CONFIG queueConfig;
    WDFDEVICE device;
    PSOFTTALLY_DEVICE_CONTEXT deviceContext;

    UNREFERENCED_PARAMETER(Driver);

    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnpPowerCallbacks);
    pnpPowerCallbacks.EvtDeviceD0Entry = SoftTallyEvtDeviceD0Entry;
    pnpPowerCallbacks.EvtDeviceD0Exit = SoftTallyEvtDeviceD0Exit;
    WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnpPowerCallbacks);

    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&deviceAttributes, SOFTTALLY_DEVICE_CONTEXT);
    status = WdfDeviceCreate(&DeviceInit, &deviceAttributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    deviceContext = SoftTallyGetDeviceContext(device);

    WDF_OBJECT_ATTRIBUTES_INIT(&childAttributes);
    childAttributes.ParentObject = device;
    status = WdfSpinLockCreate(&childAttributes, &deviceContext->CountLock);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    WDF_TIMER_CONFIG_INIT_PERIODIC(&timerConfig, SoftTallyEvtTickTimer, SOFTTALLY_TICK_MS);
    status = WdfTimerCreate(&timerConfig, &childAttributes, &deviceContext->TickTimer);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    WDF_WORKITEM_CONFIG_INIT(&workItemConfig, SoftTallyEvtSaveWorkItem);
    status = WdfWorkItemCreate(&workItemConfig, &childAttributes, &deviceContext->SaveWorkItem);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    /* Reads and writes are short and touch only the counter, so they may run side by side. */
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchParallel);
    queueConfig.EvtIoRead = SoftTallyEvtIoRead;
    queueConfig.EvtIoWrite = SoftTallyEvtIoWrite;
    status = WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    return WdfDeviceCreateDeviceInterface(device, &GUID_DEVINTERFACE_SOFTTALLY, NULL);
}

_Use_decl_annotations_
NTSTATUS
SoftTallyEvtDeviceD0Entry(
    WDFDEVICE Device,
    WDF_POWER_DEVICE_STATE PreviousState
    )
{
    UNREFERENCED_PARAMETER(PreviousState);

    /* A negative due time is relative; the first tick comes one period from now. */
    WdfTimerStart(SoftTallyGetDeviceContext(Device)->TickTimer, WDF_REL_TIMEOUT_IN_MS(SOFTTALLY_TICK_MS));
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS
SoftTallyEvtDeviceD0Exit(
    WDFDEVICE Device,
    WDF_POWER_DEVICE_STATE TargetState
    )
{
    UNREFERENCED_PARAMETER(TargetState);

    /* Wait for a tick that is running, so none runs while the device is out of D0. */
    WdfTimerStop(SoftTallyGetDeviceContext(Device)->TickTimer, TRUE);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID
SoftTallyEvtTickTimer(
    WDFTIMER Timer
    )
{
    PSOFTTALLY_DEVICE_CONTEXT deviceContext = SoftTallyGetDeviceContext(WdfTimerGetParentObject(Timer));

    WdfSpinLockAcquire(deviceContext->CountLock);
    deviceContext->Count += 1;
    WdfSpinLockRelease(deviceContext->CountLock);
}

_Use_decl_annotations_
VOID
SoftTallyEvtSaveWorkItem(
    WDFWORKITEM WorkItem
    )
{
    WDFDEVICE device = (WDFDEVICE)WdfWorkItemGetParentObject(WorkItem);
    PSOFTTALLY_DEVICE_CONTEXT deviceContext = SoftTallyGetDeviceContext(device);
    DECLARE_CONST_UNICODE_STRING(valueName, L"LastCount");
    WDFKEY key;
    ULONG count;
    NTSTATUS status;

    WdfSpinLockAcquire(deviceContext->CountLock);
    count = deviceContext->Count;
    WdfSpinLockRelease(deviceContext->CountLock);

    status = WdfDeviceOpenRegistryKey(device, PLUGPLAY_REGKEY_DEVICE, KEY_SET_VALUE, WDF_NO_OBJECT_ATTRIBUTES, &key);
    if (!NT_SUCCESS(status)) {
        return;
    }
    /* Best effort: the count is only a convenience for the next start. */
    (VOID)WdfRegistryAssignULong(key, &valueName, count);
    WdfRegistryClose(key);
}
