// The two HID interfaces: the boot keyboard (input reports on EP1, LEDs through SET_REPORT) and the
// vendor interface carrying APDUs in 64-byte reports (framing: docs/SPEC.md "HID APDU framing").
#include <string.h>
#include "usb_classes.h"
#include "usb_descriptors.h"

#define HID_GET_REPORT 0x01u
#define HID_GET_IDLE 0x02u
#define HID_GET_PROTOCOL 0x03u
#define HID_SET_REPORT 0x09u
#define HID_SET_IDLE 0x0au
#define HID_SET_PROTOCOL 0x0bu
#define HID_REPORT_INPUT 1u
#define HID_REPORT_OUTPUT 2u
#define DESCRIPTOR_HID 0x21u
#define DESCRIPTOR_HID_REPORT 0x22u
#define REQUEST_GET_DESCRIPTOR 0x06u

// Framing (SPEC "HID APDU framing").
#define FRAME_INIT 0x80u
#define FRAME_COMMAND_APDU 0x01u
#define FRAME_COMMAND_ERROR 0x3fu
#define FRAME_INIT_PAYLOAD 61u
#define FRAME_CONT_PAYLOAD 63u
#define FRAME_ERROR_INVALID_COMMAND 0x01u
#define FRAME_ERROR_INVALID_LENGTH 0x02u
#define FRAME_ERROR_INVALID_SEQUENCE 0x03u
#define FRAME_ERROR_BUSY 0x04u
#define FRAME_ERROR_INVALID_REPORT 0x05u

static uint8_t keyboard_report[USB_KEYBOARD_REPORT_BYTES];
static uint8_t keyboard_protocol = 1; // report protocol until the host asks for boot
static uint8_t keyboard_idle = 0;
static uint8_t keyboard_leds;

// A command in: written straight into the module's APDU buffer (usb_classes.h: one interface owns
// it at a time). An initial frame that finds the buffer being written by CCID is held in the
// endpoint's own buffer (not re-armed) until hid_resume().
static struct {
  uint32_t expected;
  uint32_t received;
  const uint8_t *held_frame;
  uint16_t held_length;
  uint8_t next_sequence;
  bool assembling;
  bool to_module; // the buffer is ours: the message is being written there
  bool holding;
} vendor_in; // host -> device
static struct {
  const uint8_t *payload; // vendor_reply or vendor_error_payload: never the module's own buffer
  uint32_t length;
  uint32_t sent;
  uint8_t command;
  uint8_t sequence;
  bool active;
  bool first;
} vendor_out; // device -> host
static uint8_t vendor_frame[USB_VENDOR_REPORT_BYTES];
static uint8_t vendor_error_payload[1];
// A reply goes out one report per IN transfer, long after apdu_response returned: by then the
// module has wiped its buffer (applets/apdu.ts), or a tick, a CCID APDU or a session reset has
// rewritten it. So the reply is copied here first (as usb_ccid.c copies into its tx buffer). The
// module sends at most a 256-byte chunk and SW1 SW2 (docs/SPEC.md apdu_response); anything longer
// is answered 6F00, as CCID does.
#define VENDOR_REPLY_MAX_BYTES (256u + 2u)
static uint8_t vendor_reply[VENDOR_REPLY_MAX_BYTES];
static const uint8_t vendor_reply_too_long[2] = {0x6f, 0x00};
// EP0 replies point at these directly: usb_device.c copies a reply of one packet at once.
static const uint8_t vendor_input_report[USB_VENDOR_REPORT_BYTES]; // GET_REPORT: nothing pending

void hid_reset(void) {
  memset(keyboard_report, 0, sizeof keyboard_report);
  keyboard_protocol = 1;
  keyboard_idle = 0;
  if (vendor_in.to_module) usb_apdu_abandon(APDU_TRANSPORT_HID, vendor_in.received);
  memset(&vendor_in, 0, sizeof vendor_in); // a held frame is gone with the endpoint
  memset(&vendor_out, 0, sizeof vendor_out);
  memset(vendor_reply, 0, sizeof vendor_reply);
}

void hid_configured(void) { usb_endpoint_receive(USB_EP_VENDOR_OUT); }

int usb_keyboard_send(const uint8_t *report, uint32_t length) {
  if (!usb_configured() || length != USB_KEYBOARD_REPORT_BYTES) return -1;
  if (usb_endpoint_busy(USB_EP_KEYBOARD_IN)) return 1;
  memcpy(keyboard_report, report, USB_KEYBOARD_REPORT_BYTES);
  return usb_endpoint_send(USB_EP_KEYBOARD_IN, keyboard_report, USB_KEYBOARD_REPORT_BYTES) ? 0 : 1;
}

static void vendor_send_next_frame(void) {
  if (!vendor_out.active || usb_endpoint_busy(USB_EP_VENDOR_IN)) return;
  memset(vendor_frame, 0, sizeof vendor_frame);
  uint32_t room, at;
  if (vendor_out.first) {
    vendor_frame[0] = (uint8_t)(FRAME_INIT | vendor_out.command);
    vendor_frame[1] = (uint8_t)(vendor_out.length >> 8);
    vendor_frame[2] = (uint8_t)vendor_out.length;
    room = FRAME_INIT_PAYLOAD;
    at = 3;
  } else {
    vendor_frame[0] = vendor_out.sequence++;
    room = FRAME_CONT_PAYLOAD;
    at = 1;
  }
  uint32_t chunk = vendor_out.length - vendor_out.sent;
  if (chunk > room) chunk = room;
  memcpy(vendor_frame + at, vendor_out.payload + vendor_out.sent, chunk);
  if (!usb_endpoint_send(USB_EP_VENDOR_IN, vendor_frame, sizeof vendor_frame)) return;
  vendor_out.first = false;
  vendor_out.sent += chunk;
  if (vendor_out.sent >= vendor_out.length) {
    vendor_out.active = false;
    // The last report is in the controller's buffer: the reply (codes, names) is not kept here.
    if (vendor_out.payload == vendor_reply) memset(vendor_reply, 0, vendor_out.length);
  }
}

static void vendor_start_reply(uint8_t command, const uint8_t *payload, uint32_t length) {
  vendor_out = (typeof(vendor_out)){.payload = payload, .length = length, .command = command,
                                    .active = true, .first = true};
  vendor_send_next_frame();
}

static void vendor_error(uint8_t code) {
  if (vendor_out.active) return; // a reply is being sent: the host sees it first
  vendor_error_payload[0] = code;
  vendor_start_reply(FRAME_COMMAND_ERROR, vendor_error_payload, 1);
}

void hid_apdu_response(const uint8_t *response, uint32_t length) {
  if (length > sizeof vendor_reply) {
    response = vendor_reply_too_long;
    length = sizeof vendor_reply_too_long;
  }
  memcpy(vendor_reply, response, length);
  vendor_start_reply(FRAME_COMMAND_APDU, vendor_reply, length);
}

// Ends a partly received message (wiping what reached the module's buffer).
static void vendor_in_abandon(void) {
  if (vendor_in.to_module) usb_apdu_abandon(APDU_TRANSPORT_HID, vendor_in.received);
  vendor_in.assembling = false;
  vendor_in.to_module = false;
}

// Returns false when the frame is held (the endpoint stays un-armed until hid_resume).
static bool vendor_frame_received(const uint8_t *frame, uint16_t length) {
  if (length != USB_VENDOR_REPORT_BYTES) {
    vendor_in_abandon();
    vendor_error(FRAME_ERROR_INVALID_REPORT);
    return true;
  }
  if (frame[0] & FRAME_INIT) {
    vendor_in_abandon(); // a new message replaces a partial one
    if ((frame[0] & 0x7fu) != FRAME_COMMAND_APDU) {
      vendor_error(FRAME_ERROR_INVALID_COMMAND);
      return true;
    }
    uint32_t total = ((uint32_t)frame[1] << 8) | frame[2];
    if (total == 0 || total > CCID_MAX_APDU_BYTES) {
      vendor_error(FRAME_ERROR_INVALID_LENGTH);
      return true;
    }
    if (!usb_apdu_claim(APDU_TRANSPORT_HID)) {
      vendor_in.held_frame = frame;
      vendor_in.held_length = length;
      vendor_in.holding = true;
      return false;
    }
    vendor_in.to_module = true;
    vendor_in.expected = total;
    vendor_in.next_sequence = 0;
    vendor_in.assembling = true;
    uint32_t chunk = total < FRAME_INIT_PAYLOAD ? total : FRAME_INIT_PAYLOAD;
    usb_apdu_write(APDU_TRANSPORT_HID, 0, frame + 3, chunk);
    vendor_in.received = chunk;
  } else {
    if (!vendor_in.assembling || frame[0] != vendor_in.next_sequence) {
      vendor_in_abandon();
      vendor_error(FRAME_ERROR_INVALID_SEQUENCE);
      return true;
    }
    vendor_in.next_sequence++;
    uint32_t chunk = vendor_in.expected - vendor_in.received;
    if (chunk > FRAME_CONT_PAYLOAD) chunk = FRAME_CONT_PAYLOAD;
    if (vendor_in.to_module) usb_apdu_write(APDU_TRANSPORT_HID, vendor_in.received, frame + 1, chunk);
    vendor_in.received += chunk;
  }
  if (vendor_in.received < vendor_in.expected) return true;
  vendor_in.assembling = false;
  // The reply may come right away. Refused (busy): a command waits for its reply, or ours is
  // still going out.
  if (vendor_out.active || !usb_apdu_submit(APDU_TRANSPORT_HID, vendor_in.expected)) {
    vendor_in_abandon();
    vendor_error(FRAME_ERROR_BUSY);
    return true;
  }
  vendor_in.to_module = false;
  return true;
}

void hid_resume(void) {
  if (!vendor_in.holding) return;
  vendor_in.holding = false;
  if (vendor_frame_received(vendor_in.held_frame, vendor_in.held_length)) usb_endpoint_receive(USB_EP_VENDOR_OUT);
}

void hid_receive_timeout(void) { vendor_in_abandon(); } // a late continuation gets the sequence error

void hid_sent(uint8_t endpoint_address) {
  if (endpoint_address == USB_EP_VENDOR_IN) vendor_send_next_frame();
}

void hid_received(uint8_t endpoint_address, const uint8_t *data, uint16_t length) {
  if (endpoint_address != USB_EP_VENDOR_OUT) return;
  if (vendor_frame_received(data, length)) usb_endpoint_receive(USB_EP_VENDOR_OUT);
}

usb_control_result hid_control(const usb_setup_packet *setup, const uint8_t **reply, uint16_t *reply_length) {
  bool keyboard = (setup->index & 0xffu) == USB_INTERFACE_KEYBOARD;
  uint8_t type = setup->request_type & USB_REQUEST_TYPE_MASK;
  bool in = (setup->request_type & USB_REQUEST_DIRECTION_IN) != 0;
  if (type == USB_REQUEST_TYPE_STANDARD) {
    if (setup->request != REQUEST_GET_DESCRIPTOR || !in) return USB_CONTROL_STALL;
    uint8_t descriptor = setup->value >> 8;
    if ((setup->value & 0xffu) != 0) return USB_CONTROL_STALL;
    if (descriptor == DESCRIPTOR_HID_REPORT) {
      *reply = keyboard ? usb_keyboard_report_descriptor : usb_vendor_report_descriptor;
      *reply_length = keyboard ? usb_keyboard_report_descriptor_bytes : usb_vendor_report_descriptor_bytes;
      return USB_CONTROL_REPLY;
    }
    if (descriptor == DESCRIPTOR_HID) {
      *reply = usb_configuration_descriptor +
               (keyboard ? usb_keyboard_hid_descriptor_offset : usb_vendor_hid_descriptor_offset);
      *reply_length = 9;
      return USB_CONTROL_REPLY;
    }
    return USB_CONTROL_STALL;
  }
  if (type != USB_REQUEST_TYPE_CLASS) return USB_CONTROL_STALL;
  uint8_t report_type = setup->value >> 8;
  switch (setup->request) {
  case HID_GET_REPORT:
    if (!in || report_type != HID_REPORT_INPUT) return USB_CONTROL_STALL;
    *reply = keyboard ? keyboard_report : vendor_input_report;
    *reply_length = keyboard ? USB_KEYBOARD_REPORT_BYTES : USB_VENDOR_REPORT_BYTES;
    return USB_CONTROL_REPLY;
  case HID_SET_REPORT:
    // Only the keyboard's one-byte LED report; anything longer is not a report we have.
    if (in || !keyboard || report_type != HID_REPORT_OUTPUT || setup->length != 1) return USB_CONTROL_STALL;
    return USB_CONTROL_RECEIVE;
  case HID_GET_IDLE:
    if (!in) return USB_CONTROL_STALL;
    *reply = &keyboard_idle;
    *reply_length = 1;
    return USB_CONTROL_REPLY;
  case HID_SET_IDLE:
    if (in || setup->length) return USB_CONTROL_STALL;
    if (keyboard) keyboard_idle = (uint8_t)(setup->value >> 8);
    return USB_CONTROL_REPLY;
  case HID_GET_PROTOCOL:
    if (!in || !keyboard) return USB_CONTROL_STALL;
    *reply = &keyboard_protocol;
    *reply_length = 1;
    return USB_CONTROL_REPLY;
  case HID_SET_PROTOCOL:
    if (in || !keyboard || setup->length || setup->value > 1) return USB_CONTROL_STALL;
    keyboard_protocol = (uint8_t)setup->value; // both protocols send the same 8-byte report
    return USB_CONTROL_REPLY;
  default:
    return USB_CONTROL_STALL;
  }
}

bool hid_control_data(const usb_setup_packet *setup, const uint8_t *data, uint16_t length) {
  if (setup->request != HID_SET_REPORT || length != 1) return false;
  keyboard_leds = data[0] & 0x1fu;
  app_keyboard_leds(keyboard_leds & 0x07u); // NumLock, CapsLock, ScrollLock: the ABI's bits
  return true;
}
