// The USB classes of the composite device, and what they need from the application.
#ifndef TOTPKEY_USB_CLASSES_H
#define TOTPKEY_USB_CLASSES_H
#include <stdbool.h>
#include <stdint.h>
#include "usb_device.h"

// Provided by the application (main.c).
// Takes an APDU for the module; false when one is still waiting for its reply.
bool app_apdu_submit(const uint8_t *apdu, uint32_t length);
void app_keyboard_leds(uint8_t bits);
/** The CCID host powered the card on or off: a new session for the module (session_reset). */
void app_session_reset(void);

// Which interface an APDU came in on: its reply goes back there.
typedef enum { APDU_TRANSPORT_NONE = 0, APDU_TRANSPORT_CCID, APDU_TRANSPORT_HID } apdu_transport;

// The module's reply to the last submitted APDU.
void usb_apdu_response(const uint8_t *response, uint32_t length);
// 0 sent, 1 busy (previous report still queued), -1 no keyboard (not configured).
int usb_keyboard_send(const uint8_t *report, uint32_t length);
// Periodic work: CCID time extensions while an APDU waits.
void usb_classes_task(uint64_t now_us);

// usb_hid.c
void hid_reset(void);
void hid_configured(void);
usb_control_result hid_control(const usb_setup_packet *setup, const uint8_t **reply, uint16_t *reply_length);
bool hid_control_data(const usb_setup_packet *setup, const uint8_t *data, uint16_t length);
void hid_sent(uint8_t endpoint_address);
void hid_received(uint8_t endpoint_address, const uint8_t *data, uint16_t length);
void hid_apdu_response(const uint8_t *response, uint32_t length);

// usb_ccid.c
void ccid_reset(void);
void ccid_configured(void);
usb_control_result ccid_control(const usb_setup_packet *setup);
void ccid_sent(void);
void ccid_received(const uint8_t *data, uint16_t length);
void ccid_apdu_response(const uint8_t *response, uint32_t length);
void ccid_task(uint64_t now_us);

// Shared: which transport waits for a reply (usb_classes.c).
extern apdu_transport apdu_waiting_transport;
bool usb_apdu_submit(apdu_transport transport, const uint8_t *apdu, uint32_t length);

#endif
