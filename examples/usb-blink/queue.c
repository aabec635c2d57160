/*
 * UsbBlink: the default queue. IOCTL_USBBLINK_SET_LED becomes a vendor control transfer that is
 * sent asynchronously (EvtIoDeviceControl may run at DISPATCH_LEVEL, where a synchronous send is
 * not allowed); the completion routine finishes the request with the transfer's status.
 */
#include "usbblink.h"

_Use_decl_annotations_
VOID
UsbBlinkEvtIoDeviceControl(
    WDFQUEUE Queue,
    WDFREQUEST Request,
    size_t OutputBufferLength,
    size_t InputBufferLength,
    ULONG IoControlCode
    )
{
    NTSTATUS status;
    PUSBBLINK_DEVICE_CONTEXT deviceContext = UsbBlinkGetDeviceContext(WdfIoQueueGetDevice(Queue));
    WDF_USB_CONTROL_SETUP_PACKET setupPacket;
    PUCHAR brightness;

    UNREFERENCED_PARAMETER(OutputBufferLength);
    UNREFERENCED_PARAMETER(InputBufferLength);

    if (IoControlCode != IOCTL_USBBLINK_SET_LED) {
        WdfRequestComplete(Request, STATUS_INVALID_DEVICE_REQUEST);
        return;
    }

    status = WdfRequestRetrieveInputBuffer(Request, sizeof(UCHAR), (PVOID *)&brightness, NULL);
    if (!NT_SUCCESS(status)) {
        WdfRequestComplete(Request, status);
        return;
    }

    WDF_USB_CONTROL_SETUP_PACKET_INIT_VENDOR(&setupPacket, BmRequestHostToDevice, BmRequestToDevice,
                                             USBBLINK_VENDOR_SET_LED, (USHORT)*brightness, 0);
    status = WdfUsbTargetDeviceFormatRequestForControlTransfer(deviceContext->UsbDevice, Request, &setupPacket,
                                                              NULL, NULL);
    if (!NT_SUCCESS(status)) {
        WdfRequestComplete(Request, status);
        return;
    }

    WdfRequestSetCompletionRoutine(Request, UsbBlinkControlTransferComplete, NULL);
    if (!WdfRequestSend(Request, WdfUsbTargetDeviceGetIoTarget(deviceContext->UsbDevice), WDF_NO_SEND_OPTIONS)) {
        /* Not sent: the completion routine will not run, so the request is finished here. */
        WdfRequestComplete(Request, WdfRequestGetStatus(Request));
    }
}

_Use_decl_annotations_
VOID
UsbBlinkControlTransferComplete(
    WDFREQUEST Request,
    WDFIOTARGET Target,
    PWDF_REQUEST_COMPLETION_PARAMS Params,
    WDFCONTEXT Context
    )
{
    UNREFERENCED_PARAMETER(Target);
    UNREFERENCED_PARAMETER(Context);

    WdfRequestComplete(Request, Params->IoStatus.Status);
}
