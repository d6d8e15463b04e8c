// Routes the device stack's callbacks to the classes, and APDU replies to the interface that
// carried the command. One APDU is in flight at a time (the module's contract).
#include "usb_classes.h"
#include "usb_descriptors.h"

apdu_transport apdu_waiting_transport;

void usb_class_reset(void) {
  hid_reset(); // each abandons (wipes) a command it was writing
  ccid_reset();
  apdu_waiting_transport = APDU_TRANSPORT_NONE;
}

void usb_class_configured(void) {
  hid_configured();
  ccid_configured();
}

usb_control_result usb_class_control(const usb_setup_packet *setup, const uint8_t **reply,
                                     uint16_t *reply_length) {
  if ((setup->request_type & USB_REQUEST_RECIPIENT_MASK) != USB_RECIPIENT_INTERFACE) return USB_CONTROL_STALL;
  uint16_t interface = setup->index & 0xffu;
  if ((setup->index >> 8) != 0) return USB_CONTROL_STALL;
  if (interface == USB_INTERFACE_KEYBOARD || interface == USB_INTERFACE_VENDOR)
    return hid_control(setup, reply, reply_length);
  if (interface == USB_INTERFACE_CCID) return ccid_control(setup);
  return USB_CONTROL_STALL;
}

bool usb_class_control_data(const usb_setup_packet *setup, const uint8_t *data, uint16_t length) {
  return hid_control_data(setup, data, length);
}

void usb_class_sent(uint8_t endpoint_address) {
  if (endpoint_address == USB_EP_CCID_IN) ccid_sent();
  else hid_sent(endpoint_address);
}

void usb_class_received(uint8_t endpoint_address, const uint8_t *data, uint16_t length) {
  if (endpoint_address == USB_EP_CCID_OUT) ccid_received(data, length);
  else hid_received(endpoint_address, data, length);
}

// A command whose packets stop coming (its host went away mid-message) gives the buffer up after
// this long, so the other interface is not held back for good. Hosts send a message's packets
// back to back: 4 KiB takes a few ms.
#define RECEIVE_IDLE_TIMEOUT_US 1000000u

static apdu_transport buffer_owner;
static uint64_t owner_activity_us;
static uint64_t now_cached_us;

bool usb_apdu_claim(apdu_transport transport) {
  if (buffer_owner != APDU_TRANSPORT_NONE && buffer_owner != transport) return false;
  buffer_owner = transport;
  owner_activity_us = now_cached_us;
  return true;
}

void usb_apdu_write(apdu_transport transport, uint32_t offset, const uint8_t *bytes, uint32_t length) {
  if (buffer_owner != transport || length == 0) return;
  owner_activity_us = now_cached_us;
  app_apdu_write(offset, bytes, length);
}

bool usb_apdu_submit(apdu_transport transport, uint32_t length) {
  if (buffer_owner != transport || apdu_waiting_transport != APDU_TRANSPORT_NONE) return false;
  buffer_owner = APDU_TRANSPORT_NONE; // apdu() takes the command and wipes the buffer
  apdu_waiting_transport = transport;
  app_apdu_submit(length);
  return true;
}

void usb_apdu_abandon(apdu_transport transport, uint32_t written) {
  if (buffer_owner != transport) return;
  if (written) app_apdu_write(0, 0, written); // it may hold part of a secret
  buffer_owner = APDU_TRANSPORT_NONE;
}

void usb_session_reset(void) {
  apdu_transport dropped = apdu_waiting_transport;
  app_session_reset();
  // session_reset drops a command waiting for a press unanswered (SPEC): its host still gets an answer.
  if (dropped != APDU_TRANSPORT_NONE && apdu_waiting_transport == dropped) {
    static const uint8_t dropped_reply[2] = {0x6f, 0x00};
    usb_apdu_response(dropped_reply, sizeof dropped_reply);
  }
}

void usb_apdu_response(const uint8_t *response, uint32_t length) {
  apdu_transport transport = apdu_waiting_transport;
  apdu_waiting_transport = APDU_TRANSPORT_NONE;
  if (transport == APDU_TRANSPORT_CCID) ccid_apdu_response(response, length);
  else if (transport == APDU_TRANSPORT_HID) hid_apdu_response(response, length);
}

void usb_classes_task(uint64_t now_us) {
  now_cached_us = now_us;
  if (buffer_owner != APDU_TRANSPORT_NONE && now_us - owner_activity_us >= RECEIVE_IDLE_TIMEOUT_US) {
    if (buffer_owner == APDU_TRANSPORT_CCID) ccid_receive_timeout();
    else hid_receive_timeout();
  }
  // Packets held back while the other interface had the buffer (never from inside a module call:
  // a reply may come during one, and resuming writes into the module).
  if (buffer_owner == APDU_TRANSPORT_NONE) {
    hid_resume();
    ccid_resume();
  }
  ccid_task(now_us);
}
