"""Every write of sales, by what it changes: `holds` (the reservation engine: claims, best
available, general admission, extension, release, the sweep), `orders` (checkout from a hold,
payment outcomes, disputes), `refunds` (refunds, customer cancellations, provider-side refunds),
`promotions` (promo codes). Reads are in `boxoffice.sales.selectors`."""
