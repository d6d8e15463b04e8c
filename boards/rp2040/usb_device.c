// USB device controller and EP0 (datasheet 4.1.2: device mode, DPRAM buffer control; USB 2.0
// chapter 9: standard requests). Anything this device does not support, or a request whose fields
// do not fit it, stalls EP0 (the host sees a request error); a new SETUP always starts afresh.
#include <string.h>
#include "regs.h"
#include "rp2040_board.h"
#include "usb_descriptors.h"
#include "usb_device.h"

#define ENDPOINT_COUNT 4u // EP0..EP3
#define EP0_BUFFER_BYTES 64u
#define REQUEST_GET_STATUS 0x00u
#define REQUEST_CLEAR_FEATURE 0x01u
#define REQUEST_SET_FEATURE 0x03u
#define REQUEST_SET_ADDRESS 0x05u
#define REQUEST_GET_DESCRIPTOR 0x06u
#define REQUEST_GET_CONFIGURATION 0x08u
#define REQUEST_SET_CONFIGURATION 0x09u
#define REQUEST_GET_INTERFACE 0x0au
#define REQUEST_SET_INTERFACE 0x0bu
#define FEATURE_ENDPOINT_HALT 0u
#define DESCRIPTOR_DEVICE 1u
#define DESCRIPTOR_CONFIGURATION 2u
#define DESCRIPTOR_STRING 3u

typedef struct {
  uint16_t buffer_offset; // in DPRAM
  uint8_t type;           // 2 bulk, 3 interrupt
  bool data1;             // next PID
  bool busy;              // IN: a packet is queued; OUT: armed
  bool halted;
} endpoint_state;

// [ep][0] IN, [ep][1] OUT
static endpoint_state endpoints[ENDPOINT_COUNT][2];
static uint8_t configuration;
static uint8_t pending_address;

typedef enum { EP0_IDLE, EP0_DATA_IN, EP0_STATUS_OUT, EP0_DATA_OUT, EP0_STATUS_IN } ep0_stage;
static struct {
  ep0_stage stage;
  usb_setup_packet setup;
  const uint8_t *in_data;
  uint16_t in_remaining;
  bool in_zero_length_end; // the reply is shorter than asked and a whole number of packets
  bool data1;
} ep0;
// String descriptors (the longest, "totpkey TOTP token", is 38 bytes: one packet) and 1-2 byte replies.
static uint8_t ep0_reply_buffer[EP0_BUFFER_BYTES];

static volatile uint32_t *buffer_control(uint8_t ep, bool out) {
  return (volatile uint32_t *)USB_DPRAM_BUF_CTRL(ep, out);
}

static uint8_t *dpram(uint16_t offset) { return (uint8_t *)(USBCTRL_DPRAM_BASE + offset); }

// The datasheet asks for AVAILABLE to be set after the rest of the buffer control word, a few
// clk_usb cycles later, since clk_sys runs faster than clk_usb.
static void buffer_start(uint8_t ep, bool out, uint32_t control) {
  volatile uint32_t *reg = buffer_control(ep, out);
  *reg = control;
  __asm volatile("nop\n nop\n nop\n nop\n nop\n nop\n nop\n nop\n nop\n nop\n nop\n nop");
  *reg = control | USB_BUF_CTRL_AVAILABLE;
}

static void ep0_stall(void) {
  REG32(USB_EP_STALL_ARM) = 0x3u; // EP0 IN and OUT
  *buffer_control(0, false) = USB_BUF_CTRL_STALL;
  *buffer_control(0, true) = USB_BUF_CTRL_STALL;
  ep0.stage = EP0_IDLE;
}

static void ep0_send_next(void) {
  uint16_t length = ep0.in_remaining < EP0_BUFFER_BYTES ? ep0.in_remaining : EP0_BUFFER_BYTES;
  if (length) memcpy(dpram(USB_DPRAM_EP0_BUFFER), ep0.in_data, length);
  ep0.in_data += length;
  ep0.in_remaining -= length;
  if (ep0.in_remaining == 0 && length < EP0_BUFFER_BYTES) ep0.in_zero_length_end = false;
  buffer_start(0, false, length | USB_BUF_CTRL_FULL | (ep0.data1 ? USB_BUF_CTRL_DATA1 : 0));
  ep0.data1 = !ep0.data1;
}

static void ep0_reply(const uint8_t *data, uint16_t length) {
  uint16_t asked = ep0.setup.length;
  if (length > asked) length = asked;
  ep0.in_data = data;
  ep0.in_remaining = length;
  ep0.in_zero_length_end = length < asked && (length % EP0_BUFFER_BYTES) == 0;
  ep0.stage = EP0_DATA_IN;
  ep0_send_next();
}

static void ep0_status_in(void) {
  ep0.stage = EP0_STATUS_IN;
  buffer_start(0, false, USB_BUF_CTRL_FULL | USB_BUF_CTRL_DATA1);
}

static void ep0_receive(bool data1) {
  buffer_start(0, true, EP0_BUFFER_BYTES | (data1 ? USB_BUF_CTRL_DATA1 : 0));
}

static endpoint_state *endpoint(uint8_t address) {
  uint8_t number = address & 0x0fu;
  if (number == 0 || number >= ENDPOINT_COUNT) return 0;
  endpoint_state *state = &endpoints[number][(address & 0x80u) ? 0 : 1];
  return state->type ? state : 0;
}

static void configure_endpoint(uint8_t address, uint8_t type, uint16_t buffer_offset) {
  uint8_t number = address & 0x0fu;
  bool out = (address & 0x80u) == 0;
  endpoint_state *state = &endpoints[number][out ? 1 : 0];
  *state = (endpoint_state){.buffer_offset = buffer_offset, .type = type};
  REG32(USB_DPRAM_EP_CTRL(number, out)) = USB_EP_CTRL_ENABLE | USB_EP_CTRL_INT_PER_BUFFER |
                                         ((uint32_t)type << USB_EP_CTRL_TYPE_LSB) | buffer_offset;
  *buffer_control(number, out) = 0;
}

static void deconfigure(void) {
  configuration = 0;
  for (uint8_t ep = 1; ep < ENDPOINT_COUNT; ep++) {
    REG32(USB_DPRAM_EP_CTRL(ep, false)) = 0;
    REG32(USB_DPRAM_EP_CTRL(ep, true)) = 0;
    *buffer_control(ep, false) = 0;
    *buffer_control(ep, true) = 0;
  }
  memset(endpoints, 0, sizeof endpoints);
  usb_class_reset();
}

static bool set_configuration(uint16_t value) {
  if (value > 1) return false;
  deconfigure();
  if (value == 0) return true;
  configuration = 1;
  configure_endpoint(USB_EP_KEYBOARD_IN, 3, USB_DPRAM_FIRST_FREE + 0x00);
  configure_endpoint(USB_EP_CCID_OUT, 2, USB_DPRAM_FIRST_FREE + 0x40);
  configure_endpoint(USB_EP_CCID_IN, 2, USB_DPRAM_FIRST_FREE + 0x80);
  configure_endpoint(USB_EP_VENDOR_OUT, 3, USB_DPRAM_FIRST_FREE + 0xc0);
  configure_endpoint(USB_EP_VENDOR_IN, 3, USB_DPRAM_FIRST_FREE + 0x100);
  usb_class_configured();
  return true;
}

bool usb_configured(void) { return configuration != 0; }

bool usb_endpoint_busy(uint8_t address) {
  endpoint_state *state = endpoint(address);
  return state == 0 || state->busy || state->halted;
}

bool usb_endpoint_send(uint8_t address, const uint8_t *data, uint16_t length) {
  endpoint_state *state = endpoint(address);
  if (!configuration || state == 0 || !(address & 0x80u) || state->busy || state->halted || length > 64)
    return false;
  if (length) memcpy(dpram(state->buffer_offset), data, length);
  state->busy = true;
  buffer_start(address & 0x0fu, false, length | USB_BUF_CTRL_FULL | (state->data1 ? USB_BUF_CTRL_DATA1 : 0));
  state->data1 = !state->data1;
  return true;
}

void usb_endpoint_receive(uint8_t address) {
  endpoint_state *state = endpoint(address);
  if (!configuration || state == 0 || (address & 0x80u) || state->busy) return;
  state->busy = true; // when halted: armed by CLEAR_FEATURE(ENDPOINT_HALT), as the class asked
  if (state->halted) return;
  buffer_start(address & 0x0fu, true, 64u | (state->data1 ? USB_BUF_CTRL_DATA1 : 0));
}

// Standard requests; returns false to stall.
static bool standard_request(const usb_setup_packet *setup) {
  uint8_t recipient = setup->request_type & USB_REQUEST_RECIPIENT_MASK;
  bool in = (setup->request_type & USB_REQUEST_DIRECTION_IN) != 0;
  switch (setup->request) {
  case REQUEST_GET_DESCRIPTOR: {
    if (!in) return false;
    uint8_t type = setup->value >> 8, index = setup->value & 0xffu;
    if (recipient == USB_RECIPIENT_INTERFACE) return false; // HID descriptors: the class handler
    if (recipient != USB_RECIPIENT_DEVICE) return false;
    if (type == DESCRIPTOR_DEVICE && index == 0) {
      ep0_reply(usb_device_descriptor, sizeof usb_device_descriptor);
    } else if (type == DESCRIPTOR_CONFIGURATION && index == 0) {
      ep0_reply(usb_configuration_descriptor, usb_configuration_descriptor_bytes);
    } else if (type == DESCRIPTOR_STRING) {
      uint16_t length = usb_string_descriptor(index, ep0_reply_buffer, sizeof ep0_reply_buffer);
      if (length == 0) return false;
      ep0_reply(ep0_reply_buffer, length);
    } else {
      return false; // device qualifier and others: a full-speed-only device has none
    }
    return true;
  }
  case REQUEST_SET_ADDRESS:
    if (in || recipient != USB_RECIPIENT_DEVICE || setup->value > 127 || setup->index || setup->length)
      return false;
    pending_address = (uint8_t)setup->value; // takes effect after the status stage
    ep0_status_in();
    return true;
  case REQUEST_SET_CONFIGURATION:
    if (in || recipient != USB_RECIPIENT_DEVICE || setup->length || !set_configuration(setup->value))
      return false;
    ep0_status_in();
    return true;
  case REQUEST_GET_CONFIGURATION:
    if (!in || recipient != USB_RECIPIENT_DEVICE || setup->length == 0) return false;
    ep0_reply_buffer[0] = configuration;
    ep0_reply(ep0_reply_buffer, 1);
    return true;
  case REQUEST_GET_STATUS: {
    if (!in || setup->length == 0) return false;
    ep0_reply_buffer[0] = 0;
    ep0_reply_buffer[1] = 0;
    if (recipient == USB_RECIPIENT_ENDPOINT) {
      endpoint_state *state = (setup->index & 0x0fu) ? endpoint((uint8_t)setup->index) : 0;
      if ((setup->index & 0x0fu) != 0 && state == 0) return false;
      ep0_reply_buffer[0] = state && state->halted ? 1 : 0;
    } else if (recipient == USB_RECIPIENT_INTERFACE) {
      if (!configuration || setup->index >= USB_INTERFACE_COUNT) return false;
    } else if (recipient != USB_RECIPIENT_DEVICE) {
      return false;
    }
    ep0_reply(ep0_reply_buffer, 2);
    return true;
  }
  case REQUEST_CLEAR_FEATURE:
  case REQUEST_SET_FEATURE: {
    if (in || recipient != USB_RECIPIENT_ENDPOINT || setup->value != FEATURE_ENDPOINT_HALT || setup->length)
      return false;
    endpoint_state *state = endpoint((uint8_t)setup->index);
    if (!configuration || state == 0) return false;
    uint8_t number = setup->index & 0x0fu;
    bool out = (setup->index & 0x80u) == 0;
    if (setup->request == REQUEST_SET_FEATURE) {
      state->halted = true;
      *buffer_control(number, out) = USB_BUF_CTRL_STALL;
    } else {
      bool was_receiving = out && state->busy;
      state->halted = false;
      state->data1 = false;
      state->busy = false;
      *buffer_control(number, out) = 0;
      if (was_receiving) usb_endpoint_receive((uint8_t)setup->index);
      if (!out) usb_class_sent((uint8_t)setup->index); // lets the class resume its queue
    }
    ep0_status_in();
    return true;
  }
  case REQUEST_GET_INTERFACE:
    if (!in || recipient != USB_RECIPIENT_INTERFACE || !configuration || setup->index >= USB_INTERFACE_COUNT ||
        setup->length == 0)
      return false;
    ep0_reply_buffer[0] = 0;
    ep0_reply(ep0_reply_buffer, 1);
    return true;
  case REQUEST_SET_INTERFACE:
    if (in || recipient != USB_RECIPIENT_INTERFACE || !configuration || setup->index >= USB_INTERFACE_COUNT ||
        setup->value != 0 || setup->length)
      return false;
    ep0_status_in();
    return true;
  default:
    return false;
  }
}

static void handle_setup(void) {
  const volatile uint8_t *raw = (const volatile uint8_t *)USB_DPRAM_SETUP_PACKET;
  usb_setup_packet setup = {
      .request_type = raw[0],
      .request = raw[1],
      .value = (uint16_t)(raw[2] | (raw[3] << 8)),
      .index = (uint16_t)(raw[4] | (raw[5] << 8)),
      .length = (uint16_t)(raw[6] | (raw[7] << 8)),
  };
  // A SETUP cancels whatever EP0 was doing and clears its stall.
  *buffer_control(0, false) = 0;
  *buffer_control(0, true) = 0;
  ep0 = (typeof(ep0)){.setup = setup, .data1 = true};
  bool in = (setup.request_type & USB_REQUEST_DIRECTION_IN) != 0;
  if ((setup.request_type & USB_REQUEST_TYPE_MASK) == USB_REQUEST_TYPE_STANDARD &&
      !(setup.request == REQUEST_GET_DESCRIPTOR && (setup.request_type & USB_REQUEST_RECIPIENT_MASK) == USB_RECIPIENT_INTERFACE)) {
    if (!standard_request(&setup)) ep0_stall();
    return;
  }
  const uint8_t *reply = 0;
  uint16_t reply_length = 0;
  usb_control_result result = usb_class_control(&setup, &reply, &reply_length);
  if (result == USB_CONTROL_STALL) {
    ep0_stall();
  } else if (result == USB_CONTROL_RECEIVE) {
    if (in || setup.length == 0 || setup.length > EP0_BUFFER_BYTES) {
      ep0_stall();
      return;
    }
    ep0.stage = EP0_DATA_OUT;
    ep0.data1 = true;
    ep0_receive(true);
  } else if (in) {
    if (setup.length == 0) {
      ep0_stall();
      return;
    }
    ep0_reply(reply, reply_length);
  } else {
    if (setup.length != 0) {
      ep0_stall(); // an OUT data stage the class did not ask for
      return;
    }
    ep0_status_in();
  }
}

static void ep0_in_done(void) {
  if (ep0.stage == EP0_DATA_IN) {
    if (ep0.in_remaining > 0 || ep0.in_zero_length_end) {
      ep0_send_next(); // the next packet, or the zero-length packet that ends a short reply
      return;
    }
    ep0.stage = EP0_STATUS_OUT;
    ep0_receive(true);
  } else if (ep0.stage == EP0_STATUS_IN) {
    if (pending_address) {
      REG32(USB_ADDR_ENDP) = pending_address;
      pending_address = 0;
    }
    ep0.stage = EP0_IDLE;
  }
}

static void ep0_out_done(void) {
  uint16_t length = *buffer_control(0, true) & USB_BUF_CTRL_LEN_MASK;
  if (ep0.stage == EP0_STATUS_OUT) {
    ep0.stage = EP0_IDLE;
    return;
  }
  if (ep0.stage != EP0_DATA_OUT) return;
  // One packet: handle_setup takes no OUT data stage longer than EP0_BUFFER_BYTES. Read in place.
  if (length != ep0.setup.length || !usb_class_control_data(&ep0.setup, dpram(USB_DPRAM_EP0_BUFFER), length)) {
    ep0_stall();
    return;
  }
  ep0_status_in();
}

static void endpoint_done(uint8_t number, bool out) {
  endpoint_state *state = &endpoints[number][out ? 1 : 0];
  if (!state->type) return;
  state->busy = false;
  uint8_t address = (uint8_t)(number | (out ? 0 : 0x80u));
  if (out) {
    uint16_t length = *buffer_control(number, true) & USB_BUF_CTRL_LEN_MASK;
    state->data1 = !state->data1;
    usb_class_received(address, dpram(state->buffer_offset), length);
  } else {
    usb_class_sent(address);
  }
}

void usb_init(void) {
  REG_SET(RESETS_RESET) = RESET_USBCTRL;
  REG_CLR(RESETS_RESET) = RESET_USBCTRL;
  while ((REG32(RESETS_RESET_DONE) & RESET_USBCTRL) == 0) {
  }
  memset((void *)USBCTRL_DPRAM_BASE, 0, 4096);
  REG32(USB_USB_MUXING) = USB_MUXING_TO_PHY | USB_MUXING_SOFTCON;
  // The Pico does not route VBUS to the controller: report it present.
  REG32(USB_USB_PWR) = USB_PWR_VBUS_DETECT | USB_PWR_VBUS_DETECT_OVERRIDE_EN;
  REG32(USB_MAIN_CTRL) = USB_MAIN_CTRL_CONTROLLER_EN;
  REG32(USB_SIE_CTRL) = USB_SIE_CTRL_EP0_INT_1BUF;
  REG32(USB_INTE) = USB_INTR_BUFF_STATUS | USB_INTR_BUS_RESET | USB_INTR_SETUP_REQ;
  REG_SET(USB_SIE_CTRL) = USB_SIE_CTRL_PULLUP_EN; // attach: the host sees us now
}

void usb_task(void) {
  uint32_t status = REG32(USB_INTR);
  if (status & USB_INTR_BUFF_STATUS) {
    uint32_t buffers = REG32(USB_BUFF_STATUS);
    REG32(USB_BUFF_STATUS) = buffers; // write-1-to-clear
    for (uint8_t ep = 0; ep < ENDPOINT_COUNT; ep++) {
      for (uint8_t direction = 0; direction < 2; direction++) {
        if (!(buffers & (1u << (ep * 2u + direction)))) continue;
        if (ep == 0) {
          if (direction) ep0_out_done();
          else ep0_in_done();
        } else {
          endpoint_done(ep, direction != 0);
        }
      }
    }
  }
  if (status & USB_INTR_SETUP_REQ) {
    REG32(USB_SIE_STATUS) = USB_SIE_STATUS_SETUP_REC;
    handle_setup();
  }
  if (status & USB_INTR_BUS_RESET) {
    REG32(USB_SIE_STATUS) = USB_SIE_STATUS_BUS_RESET;
    REG32(USB_ADDR_ENDP) = 0;
    pending_address = 0;
    ep0.stage = EP0_IDLE;
    deconfigure();
  }
}
