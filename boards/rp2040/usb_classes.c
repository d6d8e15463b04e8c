// Routes the device stack's callbacks to the classes, and APDU replies to the interface that
// carried the command. One APDU is in flight at a time (the module's contract).
#include "usb_classes.h"
#include "usb_descriptors.h"

apdu_transport apdu_waiting_transport;

void usb_class_reset(void) {
  hid_reset();
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

bool usb_apdu_submit(apdu_transport transport, const uint8_t *apdu, uint32_t length) {
  if (apdu_waiting_transport != APDU_TRANSPORT_NONE) return false;
  apdu_waiting_transport = transport;
  if (!app_apdu_submit(apdu, length)) {
    apdu_waiting_transport = APDU_TRANSPORT_NONE;
    return false;
  }
  return true;
}

void usb_apdu_response(const uint8_t *response, uint32_t length) {
  apdu_transport transport = apdu_waiting_transport;
  apdu_waiting_transport = APDU_TRANSPORT_NONE;
  if (transport == APDU_TRANSPORT_CCID) ccid_apdu_response(response, length);
  else if (transport == APDU_TRANSPORT_HID) hid_apdu_response(response, length);
}

void usb_classes_task(uint64_t now_us) { ccid_task(now_us); }
