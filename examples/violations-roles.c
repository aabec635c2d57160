/*
 * One deliberate violation of each role-type and annotation rule (KMDF1001-KMDF1008) and of the
 * return-value rule KMDF4003, for trying the diagnostics: open this file in VS Code with KMDF Assist,
 * or run `kmdf lint examples/violations-roles.c`. With `--kmdf-version 1.9` the call to
 * WdfDeviceInitSetIoTypeEx (KMDF 1.13) adds KMDF4001; with `--umdf-version 2.15` the DPC adds KMDF4002.
 * The comment above each function names the rule it breaks. The last function shows `kmdf-ignore`.
 */
#include <ntddk.h>
#include <wdf.h>

EVT_WDF_DRIVER_DEVICE_ADD RoleEvtDeviceAdd;
EVT_WDF_IO_QUEUE_IO_READ RoleEvtIoRead;
EVT_WDF_DEVICE_D0_ENTRY RoleEvtD0Entry;
EVT_WDF_DEVICE_D0_EXIT RoleEvtD0Exit;
EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT RoleEvtSelfManagedIo;
EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART RoleEvtSelfManagedIo;      /* KMDF1004: a second role type */
EVT_WDF_IO_QUEUE_IO_WRITE RoleEvtIoWrite;                          /* KMDF1007: never defined */
EVT_WDF_TIMER RoleEvtTimer;
EVT_WDF_DPC RoleEvtDpc;

VOID RoleEvtIoStop(WDFQUEUE Queue, WDFREQUEST Request, ULONG ActionFlags);

/* KMDF1005: DriverEntry without DRIVER_INITIALIZE. */
NTSTATUS
DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, RoleEvtDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

_Use_decl_annotations_
NTSTATUS
RoleEvtDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    WDF_PNPPOWER_EVENT_CALLBACKS pnp;
    WDF_IO_QUEUE_CONFIG queueConfig;
    WDFDEVICE device;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(Driver);
    WdfDeviceInitSetIoTypeEx(DeviceInit, NULL);
    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnp);
    pnp.EvtDeviceD0Entry = RoleEvtD0Entry;
    pnp.EvtDeviceD0Exit = RoleEvtD0Exit;
    pnp.EvtDeviceSelfManagedIoInit = RoleEvtSelfManagedIo;
    pnp.EvtDevicePrepareHardware = RoleEvtD0Exit;                  /* KMDF1003: another signature */
    WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnp);
    status = WdfDeviceCreate(&DeviceInit, WDF_NO_OBJECT_ATTRIBUTES, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchParallel);
    queueConfig.EvtIoRead = RoleEvtIoRead;
    queueConfig.EvtIoStop = RoleEvtIoStop;                         /* KMDF1001: no role type */
    return WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
}

/* KMDF1002: Length is size_t in EVT_WDF_IO_QUEUE_IO_READ. */
_Use_decl_annotations_
VOID
RoleEvtIoRead(WDFQUEUE Queue, WDFREQUEST Request, ULONG Length)
{
    UNREFERENCED_PARAMETER(Queue);
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
}

VOID RoleEvtIoStop(WDFQUEUE Queue, WDFREQUEST Request, ULONG ActionFlags)
{
    UNREFERENCED_PARAMETER(Queue);
    UNREFERENCED_PARAMETER(ActionFlags);
    WdfRequestStopAcknowledge(Request, TRUE);
}

/* KMDF4003: FALSE is STATUS_SUCCESS. */
_Use_decl_annotations_
NTSTATUS
RoleEvtD0Entry(WDFDEVICE Device, WDF_POWER_DEVICE_STATE PreviousState)
{
    UNREFERENCED_PARAMETER(Device);
    UNREFERENCED_PARAMETER(PreviousState);
    return FALSE;
}

/* KMDF1006: no _Use_decl_annotations_ and no SAL of its own. */
NTSTATUS
RoleEvtD0Exit(WDFDEVICE Device, WDF_POWER_DEVICE_STATE TargetState)
{
    UNREFERENCED_PARAMETER(Device);
    UNREFERENCED_PARAMETER(TargetState);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS
RoleEvtSelfManagedIo(WDFDEVICE Device)
{
    UNREFERENCED_PARAMETER(Device);
    return STATUS_SUCCESS;
}

/* KMDF1008: a timer callback is not a DPC. */
_Use_decl_annotations_
_Function_class_(EVT_WDF_DPC)
VOID
RoleEvtTimer(WDFTIMER Timer)
{
    UNREFERENCED_PARAMETER(Timer);
}

/* Suppressed: the definition really has no annotations, on purpose. */
// kmdf-ignore KMDF1006
VOID
RoleEvtDpc(WDFDPC Dpc)
{
    UNREFERENCED_PARAMETER(Dpc);
}
