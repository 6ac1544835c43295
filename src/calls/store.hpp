#pragma once

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::calls::store {

// Column positions of a call row (every statement returns these, in this order).
enum Column {
  kId,
  kPropertyId,
  kResidentUserId,
  kState,
  kCalleeLabel,
  kOrigin,
  kRoutedTo,
  kVideoOffered,
  kPanelId,
  kBmxCallId,
  kCreatedAt,
  kAnsweredAt,
  kEndedAt,
  kRingDeadline,
  kMedia,
  kAudioOn,
  kVideoOn,
  kAcceptedDeviceId,
  kPanelName,
  kBmxDeviceId,
  kCursor,
};

// Registers the module's prepared statements (names start with "calls_").
void prepare(db::Pool& pool);

}  // namespace frontdoor::calls::store
