// A full-speed USB device stack for the RP2040 controller (datasheet 4.1): EP0 control transfers
// and single-buffered interrupt/bulk endpoints. Runs in thread context from usb_task(); the USB
// interrupt only wakes the main loop.
#ifndef TOTPKEY_USB_DEVICE_H
#define TOTPKEY_USB_DEVICE_H
#include <stdbool.h>
#include <stdint.h>

typedef struct {
  uint8_t request_type;
  uint8_t request;
  uint16_t value;
  uint16_t index;
  uint16_t length;
} usb_setup_packet;

#define USB_REQUEST_DIRECTION_IN 0x80u
#define USB_REQUEST_TYPE_MASK 0x60u
#define USB_REQUEST_TYPE_STANDARD 0x00u
#define USB_REQUEST_TYPE_CLASS 0x20u
#define USB_REQUEST_RECIPIENT_MASK 0x1fu
#define USB_RECIPIENT_DEVICE 0u
#define USB_RECIPIENT_INTERFACE 1u
#define USB_RECIPIENT_ENDPOINT 2u

// What a class handler does with a control request.
typedef enum {
  USB_CONTROL_STALL = 0,  // not supported or malformed: EP0 stalls
  USB_CONTROL_REPLY,      // IN data in *reply (may be empty), or no data stage
  USB_CONTROL_RECEIVE,    // an OUT data stage follows; usb_class_control_data() gets it
} usb_control_result;

void usb_init(void);
void usb_task(void);
bool usb_configured(void);
bool usb_endpoint_busy(uint8_t endpoint_address);
// Queues one packet (<= 64 bytes, may be empty) on an IN endpoint; false when busy/unconfigured.
bool usb_endpoint_send(uint8_t endpoint_address, const uint8_t *data, uint16_t length);
// Lets an OUT endpoint receive its next packet.
void usb_endpoint_receive(uint8_t endpoint_address);

// Implemented by the classes (usb_classes.c).
void usb_class_reset(void);
void usb_class_configured(void);
usb_control_result usb_class_control(const usb_setup_packet *setup, const uint8_t **reply,
                                     uint16_t *reply_length);
bool usb_class_control_data(const usb_setup_packet *setup, const uint8_t *data, uint16_t length);
void usb_class_sent(uint8_t endpoint_address);
void usb_class_received(uint8_t endpoint_address, const uint8_t *data, uint16_t length);

#endif
