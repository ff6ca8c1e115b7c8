"""Every write of the payments app, one module per use case:

- `checkout`: an order and its provider session from a hold, free orders, fulfilment of a
  payment (seats sold, tickets issued) and a failed payment;
- `refunds`: organizer refunds, customer cancellations, a cancelled event's refunds, and
  asking the provider to pay a refund back;
- `reconciliation`: orders past their payment window and refunds the provider has not
  confirmed, settled by asking the provider;
- `webhooks`: the webhook endpoint's body: verify, store once, bind to what we created, apply;
- `connect`: Stripe Connect onboarding and the organizer's account state;
- `emails`: the customer emails about an order (queued on commit, sent by a job).

The jobs that run them are in `boxoffice.payments.tasks`.
"""
