// Descriptor bytes (USB 2.0 chapter 9, HID 1.11, CCID 1.1). Multi-byte fields are little-endian.
#include "usb_descriptors.h"

#define LE16(value) (uint8_t)((value) & 0xffu), (uint8_t)(((value) >> 8) & 0xffu)
#define LE32(value) LE16((value) & 0xffffu), LE16(((value) >> 16) & 0xffffu)

const uint8_t usb_device_descriptor[18] = {
    18, 0x01,               // bLength, DEVICE
    LE16(0x0200),           // USB 2.0 (full speed only)
    0x00, 0x00, 0x00,       // class defined per interface
    USB_EP0_PACKET_BYTES,   // bMaxPacketSize0
    LE16(USB_VENDOR_ID), LE16(USB_PRODUCT_ID),
    LE16(0x0100),           // bcdDevice 1.00
    1, 2, 3,                // manufacturer, product, serial strings
    1,                      // one configuration
};

// HID 1.11 appendix B.1: the boot keyboard report (modifiers, reserved, six keys) and its
// five-LED output report (NumLock, CapsLock, ScrollLock, Compose, Kana) padded to a byte.
const uint8_t usb_keyboard_report_descriptor[] = {
    0x05, 0x01, 0x09, 0x06, 0xa1, 0x01,             // Generic Desktop, Keyboard, Application
    0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7,             // Key codes 224..231: the modifiers
    0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02, // 8 x 1 bit, Input (Data, Var)
    0x95, 0x01, 0x75, 0x08, 0x81, 0x01,             // reserved byte, Input (Constant)
    0x95, 0x05, 0x75, 0x01, 0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02, // 5 LEDs, Output
    0x95, 0x01, 0x75, 0x03, 0x91, 0x01,             // LED padding, Output (Constant)
    0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x65, // 6 key codes 0..101
    0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00, // Input (Data, Array)
    0xc0,
};
const uint16_t usb_keyboard_report_descriptor_bytes = sizeof usb_keyboard_report_descriptor;

// Vendor page 0xFF00: one 64-byte input and one 64-byte output report, no report id.
const uint8_t usb_vendor_report_descriptor[] = {
    0x06, 0x00, 0xff, 0x09, 0x01, 0xa1, 0x01,       // Usage Page 0xFF00, Usage 1, Application
    0x09, 0x02, 0x15, 0x00, 0x26, 0xff, 0x00, 0x75, 0x08, 0x95, 0x40, 0x81, 0x02, // Input 64 x 8
    0x09, 0x03, 0x15, 0x00, 0x26, 0xff, 0x00, 0x75, 0x08, 0x95, 0x40, 0x91, 0x02, // Output 64 x 8
    0xc0,
};
const uint16_t usb_vendor_report_descriptor_bytes = sizeof usb_vendor_report_descriptor;

#define CONFIGURATION_BYTES (9 + (9 + 9 + 7) + (9 + 54 + 7 + 7) + (9 + 9 + 7 + 7))
#define KEYBOARD_HID_OFFSET (9 + 9)
#define VENDOR_HID_OFFSET (9 + (9 + 9 + 7) + (9 + 54 + 7 + 7) + 9)

const uint8_t usb_configuration_descriptor[] = {
    9, 0x02, LE16(CONFIGURATION_BYTES), USB_INTERFACE_COUNT, 1, 0,
    0x80,                   // bus powered, no remote wakeup
    50,                     // 100 mA (2 mA units)

    // Interface 0: boot keyboard.
    9, 0x04, USB_INTERFACE_KEYBOARD, 0, 1, 0x03, 0x01, 0x01, 0,
    9, 0x21, LE16(0x0111), 0, 1, 0x22, LE16(sizeof usb_keyboard_report_descriptor),
    7, 0x05, USB_EP_KEYBOARD_IN, 0x03, LE16(USB_KEYBOARD_REPORT_BYTES), 10,

    // Interface 1: CCID smart card reader with one slot, APDU-level exchange.
    9, 0x04, USB_INTERFACE_CCID, 0, 2, 0x0b, 0x00, 0x00, 0,
    54, 0x21,
    LE16(0x0110),           // bcdCCID 1.10
    0,                      // bMaxSlotIndex: one slot
    0x07,                   // bVoltageSupport: 5 V, 3 V, 1.8 V
    LE32(0x00000002),       // dwProtocols: T=1
    LE32(4000), LE32(4000), // dwDefaultClock, dwMaximumClock (kHz)
    0,                      // bNumClockSupported
    LE32(9600), LE32(9600), // dwDataRate, dwMaxDataRate (bps)
    0,                      // bNumDataRatesSupported
    LE32(254),              // dwMaxIFSD
    LE32(0),                // dwSynchProtocols
    LE32(0),                // dwMechanical
    // dwFeatures: automatic ATR-based parameters, activation, voltage, clock, baud rate, parameter
    // negotiation and PPS (0xFE), extended APDU level exchange (0x00040000).
    LE32(0x000400fe),
    LE32(CCID_MAX_MESSAGE_BYTES), // dwMaxCCIDMessageLength
    0xff, 0xff,             // bClassGetResponse, bClassEnvelope: echo the APDU's class
    LE16(0),                // wLcdLayout: none
    0,                      // bPINSupport: none
    1,                      // bMaxCCIDBusySlots
    7, 0x05, USB_EP_CCID_OUT, 0x02, LE16(USB_BULK_PACKET_BYTES), 0,
    7, 0x05, USB_EP_CCID_IN, 0x02, LE16(USB_BULK_PACKET_BYTES), 0,

    // Interface 2: vendor HID for APDUs in 64-byte reports (docs/SPEC.md "HID APDU framing").
    9, 0x04, USB_INTERFACE_VENDOR, 0, 2, 0x03, 0x00, 0x00, 0,
    9, 0x21, LE16(0x0111), 0, 1, 0x22, LE16(sizeof usb_vendor_report_descriptor),
    7, 0x05, USB_EP_VENDOR_IN, 0x03, LE16(USB_VENDOR_REPORT_BYTES), 1,
    7, 0x05, USB_EP_VENDOR_OUT, 0x03, LE16(USB_VENDOR_REPORT_BYTES), 1,
};
const uint16_t usb_configuration_descriptor_bytes = sizeof usb_configuration_descriptor;
const uint16_t usb_keyboard_hid_descriptor_offset = KEYBOARD_HID_OFFSET;
const uint16_t usb_vendor_hid_descriptor_offset = VENDOR_HID_OFFSET;
_Static_assert(sizeof usb_configuration_descriptor == CONFIGURATION_BYTES, "configuration length");

static const char *const strings[] = {"totpkey", "totpkey TOTP token", "0001"};

uint16_t usb_string_descriptor(uint8_t index, uint8_t *out, uint16_t capacity) {
  if (capacity < 4) return 0;
  if (index == 0) { // supported languages: en-US
    out[0] = 4;
    out[1] = 0x03;
    out[2] = 0x09;
    out[3] = 0x04;
    return 4;
  }
  if (index > sizeof strings / sizeof strings[0]) return 0;
  const char *text = strings[index - 1];
  uint16_t length = 2;
  for (uint16_t i = 0; text[i] != 0 && length + 2 <= capacity && length + 2 <= 254; i++) {
    out[length++] = (uint8_t)text[i];
    out[length++] = 0;
  }
  out[0] = (uint8_t)length;
  out[1] = 0x03;
  return length;
}
