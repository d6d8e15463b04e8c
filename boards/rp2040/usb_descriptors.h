// USB descriptors of the composite device (docs/hardware.md lists them; a test parses every byte).
#ifndef TOTPKEY_USB_DESCRIPTORS_H
#define TOTPKEY_USB_DESCRIPTORS_H
#include <stdint.h>

#define USB_VENDOR_ID 0x1209u  // pid.codes, the open-hardware vendor id
#define USB_PRODUCT_ID 0x0001u // pid.codes' test PID until the project has its own
#define USB_EP0_PACKET_BYTES 64u

#define USB_INTERFACE_KEYBOARD 0u
#define USB_INTERFACE_CCID 1u
#define USB_INTERFACE_VENDOR 2u
#define USB_INTERFACE_COUNT 3u

#define USB_EP_KEYBOARD_IN 0x81u
#define USB_EP_CCID_OUT 0x02u
#define USB_EP_CCID_IN 0x82u
#define USB_EP_VENDOR_OUT 0x03u
#define USB_EP_VENDOR_IN 0x83u

#define USB_KEYBOARD_REPORT_BYTES 8u
#define USB_VENDOR_REPORT_BYTES 64u
#define USB_BULK_PACKET_BYTES 64u

// CCID: the largest APDU the module takes (apdu_capacity) plus the 10-byte message header.
#define CCID_HEADER_BYTES 10u
#define CCID_MAX_APDU_BYTES 1040u
#define CCID_MAX_MESSAGE_BYTES (CCID_HEADER_BYTES + CCID_MAX_APDU_BYTES)

extern const uint8_t usb_device_descriptor[18];
extern const uint8_t usb_configuration_descriptor[];
extern const uint16_t usb_configuration_descriptor_bytes;
extern const uint8_t usb_keyboard_report_descriptor[];
extern const uint16_t usb_keyboard_report_descriptor_bytes;
extern const uint8_t usb_vendor_report_descriptor[];
extern const uint16_t usb_vendor_report_descriptor_bytes;
// Offsets of the two HID class descriptors inside the configuration descriptor.
extern const uint16_t usb_keyboard_hid_descriptor_offset;
extern const uint16_t usb_vendor_hid_descriptor_offset;
// String descriptor `index` as UTF-16LE into `out` (at most `capacity` bytes); 0 = no such string.
uint16_t usb_string_descriptor(uint8_t index, uint8_t *out, uint16_t capacity);

#endif
