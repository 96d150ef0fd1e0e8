"""encrypt leads' names and contact details; phone_hash to find a lead by phone

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Existing rows are encrypted (and their phone hashed) with the running app's keys,
DATA_ENCRYPTION_KEYS and PHONE_HASH_KEY; downgrading decrypts them again.
"""
import hashlib
import hmac

from alembic import op
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

ENCRYPTED = ('name', 'phone_e164', 'email')
LENGTHS = {'name': 200, 'phone_e164': 20, 'email': 254}

leads = sa.table(
    'leads',
    sa.column('id', sa.Integer()),
    *(sa.column(name, sa.Text()) for name in ENCRYPTED),
    sa.column('phone_hash', sa.String(64)),
)


def upgrade():
    with op.batch_alter_table('leads', schema=None) as batch_op:
        for name in ENCRYPTED:
            batch_op.alter_column(name, existing_type=sa.String(length=LENGTHS[name]), type_=sa.Text())
        batch_op.add_column(sa.Column('phone_hash', sa.String(length=64), nullable=True))

    fernet = _fernet()
    hash_key = current_app.config['PHONE_HASH_KEY'].encode()
    connection = op.get_bind()
    for row in connection.execute(sa.select(leads)).mappings().all():
        phone = _clear(fernet, row['phone_e164'])
        values = {
            name: _encrypted(fernet, row[name]) for name in ENCRYPTED if row[name] is not None
        }
        values['phone_hash'] = hmac.new(hash_key, phone.strip().encode(), hashlib.sha256).hexdigest()
        connection.execute(leads.update().where(leads.c.id == row['id']).values(**values))

    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.alter_column('phone_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f('ix_leads_phone_hash'), ['phone_hash'], unique=False)


def downgrade():
    fernet = _fernet()
    connection = op.get_bind()
    for row in connection.execute(sa.select(leads)).mappings().all():
        values = {name: _clear(fernet, row[name]) for name in ENCRYPTED if row[name] is not None}
        connection.execute(leads.update().where(leads.c.id == row['id']).values(**values))

    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leads_phone_hash'))
        batch_op.drop_column('phone_hash')
        for name in ENCRYPTED:
            batch_op.alter_column(name, existing_type=sa.Text(), type_=sa.String(length=LENGTHS[name]))


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
