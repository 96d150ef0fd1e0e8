"""encrypt chat state (answers, and a name and phone while they are taken) and staff notes on
contact attempts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

Existing rows are encrypted with the running app's DATA_ENCRYPTION_KEYS; downgrading decrypts
them again.
"""
from alembic import op
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

conversations = sa.table('conversations', sa.column('id', sa.Integer()), sa.column('state', sa.Text()))
attempts = sa.table(
    'lead_contact_attempts', sa.column('id', sa.Integer()), sa.column('note', sa.Text())
)


def upgrade():
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.alter_column(
            'state', existing_type=sa.JSON(), type_=sa.Text(), postgresql_using='state::text'
        )
    fernet = _fernet()
    _rewrite(conversations, 'state', lambda value: _encrypted(fernet, value))
    _rewrite(attempts, 'note', lambda value: _encrypted(fernet, value))


def downgrade():
    fernet = _fernet()
    _rewrite(conversations, 'state', lambda value: _clear(fernet, value))
    _rewrite(attempts, 'note', lambda value: _clear(fernet, value))
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.alter_column(
            'state', existing_type=sa.Text(), type_=sa.JSON(), postgresql_using='state::json'
        )


def _rewrite(table, column, change):
    connection = op.get_bind()
    for row in connection.execute(sa.select(table)).mappings().all():
        if row[column] is not None:
            connection.execute(
                table.update().where(table.c.id == row['id']).values({column: change(row[column])})
            )


def _fernet():
    return MultiFernet([Fernet(key) for key in current_app.config['DATA_ENCRYPTION_KEYS']])


def _clear(fernet, value):
    """The value in clear, whether it was stored encrypted or not."""
    try:
        return fernet.decrypt(value.encode('ascii')).decode()
    except (InvalidToken, UnicodeEncodeError):
        return value


def _encrypted(fernet, value):
    """Encrypted once: a value that already decrypts is left as it is."""
    try:
        fernet.decrypt(value.encode('ascii'))
    except (InvalidToken, UnicodeEncodeError):
        return fernet.encrypt(value.encode()).decode('ascii')
    return value
