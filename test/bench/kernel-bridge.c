/*
 * A peer for `npm run bench -- kernel-bridge`: blasts or counts 64-byte Ethernet frames on one
 * interface through an AF_PACKET socket, and prints its own CPU time, so that the Linux bridge's
 * frames per CPU-second can be set beside the engine's. Compiled at bench time (gcc), never shipped.
 *   kernel-bridge send <iface> <dst-mac> <count>   -> "sent N cpu_us U"
 *   kernel-bridge recv <iface> <count>             -> "received N cpu_us U" (stops at count, or
 *                                                     after 1 s without a frame)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define ETHERTYPE 0x88b5
#define BATCH 256 /* IEEE local experimental: no stack answers it */

static long cpu_us(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec;
}

static int open_on(const char *ifname, struct sockaddr_ll *addr, unsigned char mac[6]) {
  int fd = socket(AF_PACKET, SOCK_RAW, htons(ETHERTYPE));
  if (fd < 0) { perror("socket"); exit(2); }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) { perror("SIOCGIFINDEX"); exit(2); }
  memset(addr, 0, sizeof *addr);
  addr->sll_family = AF_PACKET;
  addr->sll_protocol = htons(ETHERTYPE);
  addr->sll_ifindex = ifr.ifr_ifindex;
  if (bind(fd, (struct sockaddr *)addr, sizeof *addr) < 0) { perror("bind"); exit(2); }
  if (mac) {
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) { perror("SIOCGIFHWADDR"); exit(2); }
    memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
  }
  return fd;
}

int main(int argc, char **argv) {
  if (argc >= 5 && strcmp(argv[1], "send") == 0) {
    struct sockaddr_ll addr;
    unsigned char src[6], dst[6], frame[60];
    int fd = open_on(argv[2], &addr, src);
    if (sscanf(argv[3], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dst[0], &dst[1], &dst[2], &dst[3], &dst[4], &dst[5]) != 6) { fprintf(stderr, "bad MAC\n"); return 2; }
    long count = atol(argv[4]);
    memset(frame, 0xab, sizeof frame);
    memcpy(frame, dst, 6);
    memcpy(frame + 6, src, 6);
    frame[12] = ETHERTYPE >> 8;
    frame[13] = ETHERTYPE & 0xff;
    struct iovec iov = {frame, sizeof frame};
    struct mmsghdr msgs[BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < BATCH; i++) { msgs[i].msg_hdr.msg_iov = &iov; msgs[i].msg_hdr.msg_iovlen = 1; }
    long c0 = cpu_us(), sent = 0;
    while (sent < count) {
      int want = count - sent < BATCH ? (int)(count - sent) : BATCH;
      int n = sendmmsg(fd, msgs, want, 0);
      if (n <= 0) break;
      sent += n;
    }
    printf("sent %ld cpu_us %ld\n", sent, cpu_us() - c0);
    return 0;
  }
  if (argc >= 4 && strcmp(argv[1], "recv") == 0) {
    struct sockaddr_ll addr;
    int fd = open_on(argv[2], &addr, NULL);
    int rcvbuf = 64 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
    struct timeval tv = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    long count = atol(argv[3]), got = 0;
    static unsigned char bufs[BATCH][2048];
    struct iovec iovs[BATCH];
    struct mmsghdr msgs[BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < BATCH; i++) {
      iovs[i].iov_base = bufs[i];
      iovs[i].iov_len = sizeof bufs[i];
      msgs[i].msg_hdr.msg_iov = &iovs[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    printf("ready\n");
    fflush(stdout);
    long c0 = -1;
    while (got < count) {
      int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
      if (n <= 0) break; /* 1 s without a frame: the sender is done */
      if (c0 < 0) c0 = cpu_us();
      for (int i = 0; i < n; i++) {
        unsigned char *b = bufs[i];
        if (msgs[i].msg_len >= 14 && b[12] == (ETHERTYPE >> 8) && b[13] == (ETHERTYPE & 0xff)) got++;
      }
    }
    printf("received %ld cpu_us %ld\n", got, c0 < 0 ? 0 : cpu_us() - c0);
    return 0;
  }
  fprintf(stderr, "usage: %s send <iface> <dst-mac> <count> | recv <iface> <count>\n", argv[0]);
  return 2;
}
