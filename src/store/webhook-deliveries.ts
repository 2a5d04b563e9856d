import type { Knex } from 'knex';

/** Records a webhook message id; false when it was seen before (a replay or a re-delivery). */
export async function firstDelivery(db: Knex, messageId: string): Promise<boolean> {
  const inserted = await db('webhook_deliveries').insert({ message_id: messageId }).onConflict('message_id').ignore().returning('message_id');
  return inserted.length > 0;
}

/** Forgets a delivery whose processing failed, so Junction's retry of it is processed. */
export async function forgetDelivery(db: Knex, messageId: string): Promise<void> {
  await db('webhook_deliveries').where({ message_id: messageId }).delete();
}
