/*
 * UsbBlink: a KMDF driver for an imaginary USB gadget with one LED. An application opens the
 * device interface and sends IOCTL_USBBLINK_SET_LED with one byte, the LED's new brightness;
 * the driver turns it into a vendor control transfer on the default pipe. Written as a KMDF
 * Assist example: every callback is declared with its role type.
 */
#pragma once

#include <ntddk.h>
#include <wdf.h>
#include <usb.h>
#include <wdfusb.h>
#include <initguid.h>

// {0F3C6A52-9E1B-4D87-A2C4-6B5D7E8F9012}
DEFINE_GUID(GUID_DEVINTERFACE_USBBLINK, 0x0f3c6a52, 0x9e1b, 0x4d87, 0xa2, 0xc4, 0x6b, 0x5d, 0x7e, 0x8f, 0x90, 0x12);

#define IOCTL_USBBLINK_SET_LED CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_WRITE_ACCESS)

/* The gadget's vendor request that sets the LED: wValue carries the brightness (0-255). */
#define USBBLINK_VENDOR_SET_LED 0x21

typedef struct _USBBLINK_DEVICE_CONTEXT {
    WDFUSBDEVICE UsbDevice;     /* created in EvtDevicePrepareHardware */
} USBBLINK_DEVICE_CONTEXT, *PUSBBLINK_DEVICE_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(USBBLINK_DEVICE_CONTEXT, UsbBlinkGetDeviceContext)

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD UsbBlinkEvtDeviceAdd;
EVT_WDF_DEVICE_PREPARE_HARDWARE UsbBlinkEvtDevicePrepareHardware;
EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL UsbBlinkEvtIoDeviceControl;
EVT_WDF_REQUEST_COMPLETION_ROUTINE UsbBlinkControlTransferComplete;
